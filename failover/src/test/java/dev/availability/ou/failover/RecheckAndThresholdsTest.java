package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When the decider asks to be called again, and the thresholds it derives from the recovery budget. */
class RecheckAndThresholdsTest {

  @Test
  void thresholdsFollowTheDocumentedFormulas() {
    Thresholds t = Thresholds.of(Duration.ofSeconds(5));
    assertThat(t.leaseDuration()).isEqualTo(Duration.ofMillis(2000)); // 0.4 T_r
    assertThat(t.renewInterval()).isEqualTo(Duration.ofMillis(2000).dividedBy(3)); // lease / 3
    assertThat(t.leaseOverdue()).isEqualTo(Duration.ofMillis(1000)); // 1.5 renewals = 0.2 T_r
    assertThat(t.unreadyGrace()).isEqualTo(Duration.ofMillis(1000)); // 0.2 T_r
    assertThat(t.peerLostAfter()).isEqualTo(Duration.ofMillis(1000)); // 0.2 T_r

    Thresholds ten = Thresholds.of(Duration.ofSeconds(10));
    assertThat(ten.leaseDuration()).isEqualTo(Duration.ofSeconds(4));
    assertThat(ten.leaseOverdue()).isEqualTo(Duration.ofSeconds(2));
    assertThat(ten.unreadyGrace()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void theLeaseNeverGetsShorterThan200Milliseconds() {
    assertThat(Thresholds.of(Duration.ofMillis(500)).leaseDuration())
        .isEqualTo(Duration.ofMillis(200));
    assertThat(Thresholds.of(Duration.ofMillis(100)).leaseDuration())
        .isEqualTo(Duration.ofMillis(200));
    assertThat(Thresholds.of(Duration.ofMillis(100)).unreadyGrace())
        .isEqualTo(Duration.ofMillis(20));
  }

  @Test
  void detectionFitsWithinTwoFifthsOfTheBudget() {
    for (long ms : new long[] {500, 1000, 2500, 5000, 30_000}) {
      Duration budget = Duration.ofMillis(ms);
      Thresholds t = Thresholds.of(budget);
      Duration slowest = java.util.Collections.max(java.util.List.of(
          t.leaseDuration(), t.unreadyGrace(), t.leaseOverdue(), t.peerLostAfter()));
      assertThat(slowest)
          .as("budget %s", budget)
          .isLessThanOrEqualTo(budget.multipliedBy(2).dividedBy(5));
      assertThat(t.leaseOverdue()).isLessThan(t.leaseDuration());
      assertThat(t.renewInterval()).isLessThan(t.leaseOverdue());
    }
  }

  @Test
  void aNodeLeaseIsStaleAfterOneAndAHalfKubeletRenewals() {
    assertThat(Thresholds.nodeLeaseStaleAfter(Duration.ofSeconds(40)))
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void aHealthyUnitAsksToBeCalledWhenTheLeaseWouldBeOverdue() {
    World w = World.threeNodes(UnitPolicy.Mode.Asynchronous).bootstrap();
    w.tick();
    Decision d = w.settle();
    assertThat(d.recheckAfter()).isEqualTo(w.thresholds().leaseOverdue());

    w.now = w.now.plusMillis(300);
    assertThat(w.reconcile().recheckAfter())
        .isEqualTo(w.thresholds().leaseOverdue().minusMillis(300));
  }

  @Test
  void anOverdueLeaseAsksToBeCalledWhenItWouldExpire() {
    World w = World.threeNodes(UnitPolicy.Mode.Asynchronous).bootstrap();
    w.tick();
    w.settle();
    w.now = w.now.plus(w.thresholds().leaseOverdue()).plusMillis(100);

    Decision d = w.reconcile();

    assertThat(d.phase()).isEqualTo(Phase.Protected);
    assertThat(d.recheckAfter())
        .isEqualTo(
            w.thresholds().leaseDuration().minus(w.thresholds().leaseOverdue()).minusMillis(100));
  }

  @Test
  void anUnreadyPrimaryAsksToBeCalledWhenItsGraceEnds() {
    World w = World.threeNodes().bootstrap();
    w.setReadiness("db-0", false);
    w.tick();
    w.settle();
    w.now = w.now.plusMillis(250);

    Decision d = w.reconcile();

    assertThat(d.recheckAfter()).isEqualTo(w.thresholds().unreadyGrace().minusMillis(250));
  }

  @Test
  void aDegradedUnitLooksAgainAfterALeaseDuration() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.appCrashLoop("db-1");

    assertThat(w.reconcile().recheckAfter()).isEqualTo(w.thresholds().leaseDuration());
  }

  @Test
  void aFailoverUnderWayAsksToContinueAtOnce() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    assertThat(w.reconcile().recheckAfter()).isEqualTo(Duration.ZERO); // intent
    assertThat(w.reconcile().recheckAfter())
        .isEqualTo(w.thresholds().renewInterval().dividedBy(2)); // polls for the target's word
    assertThat(w.switchTraffic().recheckAfter())
        .isEqualTo(Duration.ZERO); // traffic switched: clean up at once
  }

  @Test
  void waitingForTheTargetNeverAsksForMoreThanTheTimeLeftBeforeGivingUp() {
    World w = World.threeNodes().bootstrap();
    w.killNode(w.standby().node);
    w.appCrashLoop("db-0");
    w.reconcile(); // intent
    w.reconcile(); // promotion sent
    w.reconcile(); // seen sent: the deadline starts
    java.time.Instant askedAt = w.status.intent().promotionAskedAt();
    assertThat(askedAt).isNotNull();
    w.now = askedAt.plus(w.thresholds().leaseDuration()).minusMillis(40);

    assertThat(w.reconcile().recheckAfter()).isEqualTo(Duration.ofMillis(40));
  }

  @Test
  void aFormerPrimaryLeftOnAFailedNodeIsLookedAtAgainWhenItWillBeFenced() {
    World w = World.threeNodes().bootstrap();
    w.nodeUnknown(w.primary().node);
    w.switchTraffic();
    java.time.Instant fencedAt =
        w.status.intent().serviceSwitchedAt().plus(w.thresholds().leaseDuration());
    // (kept until the new standby is in sync, then deleted gracefully; forced once it is certainly
    // fenced)
    w.runUntil(x -> x.lastPhase() == Phase.Protected, "protected", Duration.ofSeconds(5));
    w.now = w.now.plusMillis(100);

    Decision d = w.reconcile();

    assertThat(d.recheckAfter())
        .as("called back no later than when it will be fenced")
        .isNotNull()
        .isLessThanOrEqualTo(Duration.between(w.now, fencedAt));
  }

  @Test
  void aPartitionAsksToBeCalledWhenTheLeaseWouldBeOverdue() {
    World w = World.threeNodes().bootstrap();
    w.podNetworkSplit = true;
    w.run(Duration.ofSeconds(2));

    Decision d = w.last();

    assertThat(d.phase()).isEqualTo(Phase.Unprotected);
    assertThat(d.recheckAfter()).isNotNull().isLessThanOrEqualTo(w.thresholds().leaseOverdue());
  }
}
