package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What may be promoted depends on the replication mode and the unit's policy. */
class ReplicationModeTest {

  private static World unit(UnitPolicy.Mode mode, Long maxPromotableLag) {
    UnitPolicy p = World.policy(mode);
    return new World(
        new UnitPolicy(
            p.unit(), mode, true, p.recoveryBudget(), maxPromotableLag, false, p.templateHash()),
        "node-a",
        "node-b",
        "node-c");
  }

  private static void standbyReports(World w, Boolean inSync, Long lag) {
    World.Pod sb = w.standby();
    sb.manualReport = true;
    sb.inSync = inSync;
    sb.lag = lag;
  }

  private static void assertNobodyPromoted(World w, int mark) {
    assertThat(w.actionsSince(mark))
        .noneMatch(a ->
            a instanceof Assign as && as.role() == Role.Primary && !as.pod().equals("db-0"));
    assertThat(w.actionsSince(mark))
        .noneMatch(a -> a instanceof PointService ps && !ps.pod().equals("db-0"));
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.lostAtPromotion).isEmpty();
  }

  @Test
  void synchronousNeverPromotesAStaleStandby() {
    World w = unit(UnitPolicy.Mode.Synchronous, null).bootstrap();
    standbyReports(w, false, 7L);
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.run(Duration.ofSeconds(5));

    assertNobodyPromoted(w, mark);
    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoInSyncStandby");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("db-1", "not in sync", "Synchronous", "never promotes a stale standby");
    assertThat(w.eventsSince(mark)).contains(EventReason.FailoverBlocked);
  }

  @Test
  void synchronousWaitsForThePrimaryAndResumesWhenItReturns() {
    World w = unit(UnitPolicy.Mode.Synchronous, null).bootstrap();
    standbyReports(w, false, 7L);
    w.appCrashLoop("db-0");
    w.run(Duration.ofSeconds(2));

    w.appRecovers("db-0");
    w.standby().manualReport = false;
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void journalModeLikeSynchronousNeverPromotesAStaleStandby() {
    World w = unit(UnitPolicy.Mode.Journal, null).bootstrap();
    standbyReports(w, false, 2L);
    int mark = w.mark();
    w.evict("db-0");

    w.run(Duration.ofSeconds(3));

    assertNobodyPromoted(w, mark);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoInSyncStandby");
  }

  @Test
  void synchronousPromotesAStandbyThatLostThePrimaryButHoldsEverythingAcknowledged() {
    World w = unit(UnitPolicy.Mode.Synchronous, null).bootstrap();
    w.run(Duration.ofSeconds(1));
    long acknowledged = w.acked;
    assertThat(acknowledged).isPositive();

    w.killNode(w.primary().node);
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.status.lastFailover().updatesLost()).isZero();
  }

  @Test
  void asynchronousPromotesAStandbyWithinMaxPromotableLagAndRecordsWhatWasLost() {
    World w = unit(UnitPolicy.Mode.Asynchronous, 10L);
    w.asyncLag = 5;
    w.bootstrap();
    w.appCrashLoop("db-0");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(5);
    assertThat(w.lostAtPromotion).containsExactly(5L);
  }

  @Test
  void asynchronousPromotesOnlyOnceTheFormerPrimaryConfirmedItIsFenced() {
    World w = unit(UnitPolicy.Mode.Asynchronous, null).bootstrap();
    w.appCrashLoop("db-0");
    w.reconcile(); // intent

    Decision fence = w.reconcile();

    assertThat(fence.actions())
        .as("only the fencing: the former primary may still acknowledge alone")
        .containsExactly(new Assign("db-0", Role.Fenced, 2, null));
    assertThat(w.pod("db-0").reportRole).isEqualTo(Role.Primary);
    w.tick(); // its sidecar takes the fencing and says so
    assertThat(w.pod("db-0").reportRole).isEqualTo(Role.Fenced);

    Decision promote = w.reconcile();

    assertThat(promote.actions())
        .containsExactly(
            new HoldLease("db-1", 2, w.thresholds().leaseDuration()),
            new Assign("db-1", Role.Primary, 2, "db-2"),
            promote.actions().get(2),
            promote.actions().get(3));
    assertThat(promote.actions().get(2))
        .as("its successor starts with the promotion")
        .matches(a -> a instanceof Action.CreateMember c && c.pod().equals("db-2"));
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
  }

  @Test
  void
      asynchronousWithAFormerPrimaryThatNeverConfirmsPromotesOnlyOnceItsLeaseLapsedByTheOperatorsClock() {
    World w = unit(UnitPolicy.Mode.Asynchronous, null).bootstrap();
    w.appCrashLoop("db-0");
    w.reconcile(); // intent
    w.pod("db-0").sidecarHung =
        true; // it hears nothing more and says nothing more: it never confirms the fencing
    Instant lastRenewal = w.lease.renewedAt();
    Instant promotedAt = null;
    for (int i = 0; i < 100 && promotedAt == null; i++) {
      Decision d = w.reconcile();
      if (d.actions().stream()
          .anyMatch(a ->
              a instanceof Assign as && as.role() == Role.Primary && as.pod().equals("db-1")))
        promotedAt = w.now;
      else w.tick();
    }
    assertThat(promotedAt).as("db-1 promoted").isNotNull();
    assertThat(promotedAt)
        .as("promoted only once db-0's lease, last renewed at %s, lapsed", lastRenewal)
        .isAfterOrEqualTo(lastRenewal.plus(w.thresholds().leaseDuration()));
  }

  @Test
  void asynchronousStandbyStreamingButTrailingMoreThanMaxPromotableLagIsNotProtectedNorPromoted() {
    World w = unit(UnitPolicy.Mode.Asynchronous, 10L);
    w.asyncLag = 50;
    w.settle();
    w.run(Duration.ofSeconds(2));
    assertThat(w.standby().inSync).isTrue();
    assertThat(w.last().phase()).isEqualTo(Phase.Synchronizing);
    assertThat(w.condition(ConditionType.Protected).reason()).isEqualTo("StandbyLagging");
    int mark = w.mark();

    w.appCrashLoop("db-0");
    w.run(Duration.ofSeconds(2));

    assertNobodyPromoted(w, mark);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("LagTooHigh");
  }

  @Test
  void asynchronousAtExactlyMaxPromotableLagIsPromoted() {
    World w = unit(UnitPolicy.Mode.Asynchronous, 10L);
    w.asyncLag = 10;
    w.bootstrap();
    w.run(Duration.ofSeconds(1));
    w.appCrashLoop("db-0");

    w.runUntil(x -> x.status.epoch() == 2, "a failover", Duration.ofSeconds(3));

    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(10);
  }

  @Test
  void asynchronousOverMaxPromotableLagIsNotPromotedAndSaysSo() {
    World w = unit(UnitPolicy.Mode.Asynchronous, 10L).bootstrap();
    standbyReports(w, false, 11L);
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.run(Duration.ofSeconds(3));

    assertNobodyPromoted(w, mark);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("LagTooHigh");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("11 updates", "maxPromotableLag 10");
  }

  @Test
  void asynchronousWithAnUnknownLagIsNotPromotedWhenMaxPromotableLagIsSet() {
    World w = unit(UnitPolicy.Mode.Asynchronous, 10L).bootstrap();
    standbyReports(w, false, null);
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.run(Duration.ofSeconds(3));

    assertNobodyPromoted(w, mark);
    assertThat(w.condition(ConditionType.Degraded).message()).contains("an unknown number of");
  }

  @Test
  void asynchronousWithoutMaxPromotableLagPromotesWhateverTheLag() {
    World w = unit(UnitPolicy.Mode.Asynchronous, null);
    w.asyncLag = 1000;
    w.bootstrap();
    w.appCrashLoop("db-0");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.lastFailover().updatesLost()).isPositive();
    assertThat(w.lostAtPromotion).containsExactly(w.status.lastFailover().updatesLost());
  }

  @Test
  void asynchronousWithoutMaxPromotableLagNeverPromotesAStandbyThatDoesNotKnowHowFarItTrails() {
    World w = unit(UnitPolicy.Mode.Asynchronous, null).bootstrap();
    standbyReports(
        w, false, null); // a new standby that has not heard its primary yet: it may hold nothing
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.run(Duration.ofSeconds(3));

    assertNobodyPromoted(w, mark);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("LagUnknown");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("db-1", "does not know how far it trails");
  }

  @Test
  void
      asynchronousWithoutMaxPromotableLagPromotesEvenAnUnknownLagAndMeasuresTheLossFromTheDurableSequences() {
    World w = unit(UnitPolicy.Mode.Asynchronous, null);
    w.asyncLag = 15;
    w.bootstrap();
    w.run(Duration.ofSeconds(1));
    standbyReports(w, true, null);
    w.appCrashLoop("db-0");

    w.runUntil(x -> x.status.epoch() == 2, "a failover", Duration.ofSeconds(3));

    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(15);
    assertThat(w.lostAtPromotion).containsExactly(15L);
  }

  @Test
  void automaticFailoverDisabledDetectsAndReportsButPromotesNobody() {
    UnitPolicy p = World.policy(UnitPolicy.Mode.Synchronous);
    World w = new World(
            new UnitPolicy(
                p.unit(), p.mode(), false, p.recoveryBudget(), null, false, p.templateHash()),
            "node-a",
            "node-b",
            "node-c")
        .bootstrap();
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.run(Duration.ofSeconds(5));

    assertNobodyPromoted(w, mark);
    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("AutomaticFailoverDisabled");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("application container of db-0", "automatic is false");
    assertThat(w.eventsSince(mark))
        .contains(EventReason.PrimaryFailed)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");

    w.policy =
        new UnitPolicy(p.unit(), p.mode(), true, p.recoveryBudget(), null, false, p.templateHash());
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.lastFailover().withinRecoveryBudget())
        .as("it waited for a human longer than the budget")
        .isFalse();
  }

  /**
   * Seen in the settings drill: a Synchronous unit edited to Asynchronous failed over at once. Its primary renewed
   * sparsely while its standby confirmed it (here: not at all), and the new mode judges it by its lease alone. Its
   * lease is renewed on its standby's word first, then its sidecar is told the new mode and renews on its own.
   */
  @Test
  void leavingSynchronousModeRenewsThePrimarysLeaseBeforeItsSidecarIsToldAndNothingFailsOver() {
    World w = unit(UnitPolicy.Mode.Synchronous, null).bootstrap();
    w.run(Duration.ofSeconds(
        30)); // confirmed by its standby all along: the model's primary never renews
    assertThat(w.lease.renewedAt())
        .as("the confirmed primary's last renewal")
        .isBefore(w.now.minus(w.thresholds().leaseDuration()));
    int mark = w.mark();

    UnitPolicy p = w.policy;
    w.policy = new UnitPolicy(
        p.unit(),
        UnitPolicy.Mode.Asynchronous,
        true,
        p.recoveryBudget(),
        null,
        false,
        p.templateHash());
    w.reconcile();

    assertThat(w.actionsSince(mark))
        .as("the lease renewed on the standby's word, then the primary told the new mode")
        .containsSubsequence(
            new Action.VouchLease("db-0", 1), new Assign("db-0", Role.Primary, 1, "db-1"));
    w.run(Duration.ofSeconds(30));
    assertNobodyPromoted(w, mark);
    assertThat(w.primary().settings.mode()).isEqualTo(UnitPolicy.Mode.Asynchronous);
    assertThat(w.standby().settings.mode()).isEqualTo(UnitPolicy.Mode.Asynchronous);
    assertThat(w.lease.renewedAt())
        .as("renewing on its own in Asynchronous mode")
        .isAfter(w.now.minus(w.thresholds().leaseDuration()));
  }
}
