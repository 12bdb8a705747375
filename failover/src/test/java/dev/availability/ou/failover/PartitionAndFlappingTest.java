package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A partition is not a crash, and readiness that flaps within its grace never moves the primary. */
class PartitionAndFlappingTest {

  @Test
  void aPartitionBetweenTheMembersWhileThePrimaryRenewsItsLeaseNeverPromotes() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();

    w.podNetworkSplit = true;
    w.run(Duration.ofSeconds(30));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.PeerUnreachable)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.lostAtPromotion).isEmpty();
    assertThat(w.last().phase()).isEqualTo(Phase.Unprotected);
    assertThat(w.condition(ConditionType.Protected).status()).isFalse();
    assertThat(w.condition(ConditionType.Protected).reason()).isEqualTo("PeerUnreachable");
    assertThat(w.condition(ConditionType.Ready).status()).isTrue();
    assertThat(w.condition(ConditionType.Degraded).status()).isFalse();
    assertThat(w.standby().reportRole).isEqualTo(Member.Role.Standby);
  }

  @Test
  void aHealedPartitionReturnsToProtectedWithoutAFailover() {
    World w = World.threeNodes().bootstrap();
    w.podNetworkSplit = true;
    w.run(Duration.ofSeconds(5));
    assertThat(w.last().phase()).isEqualTo(Phase.Unprotected);

    w.podNetworkSplit = false;
    w.runUntil(Phase.Protected, Duration.ofSeconds(2));

    assertThat(w.status.failovers()).isZero();
    assertThat(w.phases()).doesNotContain(Phase.FailingOver, Phase.Degraded);
  }

  @Test
  void aPartitionFollowedByTheLeaseGoingOverdueFailsOver() {
    World w = World.threeNodes().bootstrap();
    w.podNetworkSplit = true;
    w.run(Duration.ofSeconds(3));
    assertThat(w.status.failovers()).isZero();

    w.primary().leaseBlocked = true; // now the primary is cut off from the API server too
    w.runUntil(x -> x.status.epoch() == 2, "a failover", Duration.ofSeconds(5));
    w.podNetworkSplit = false; // (the split would cut the new pair off from each other too)
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.LeaseOverdue.name());
    assertThat(w.status.lastFailover().message()).contains("lost the primary's heartbeats");
  }

  @Test
  void readinessFlappingShorterThanTheGraceNeverFailsOver() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();
    Duration grace = w.thresholds().unreadyGrace();
    Duration unready = grace.minus(World.TICK.multipliedBy(2));

    for (int i = 0; i < 20; i++) {
      w.setReadiness("db-0", false);
      w.run(unready);
      w.setReadiness("db-0", true);
      w.run(World.TICK.multipliedBy(2));
    }

    assertThat(w.eventsSince(mark))
        .doesNotContain(
            EventReason.FailoverStarted, EventReason.PrimaryFailed, EventReason.FailoverBlocked);
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.phasesSince(mark)).containsOnly(Phase.Protected);
  }

  @Test
  void readinessFlappingAfterAFailoverDoesNotPingPongBack() {
    World w = World.threeNodes().bootstrap();
    w.setReadiness("db-0", false);
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.primary()).isEqualTo("db-1");
    int mark = w.mark();

    for (int i = 0; i < 10; i++) {
      w.setReadiness("db-1", false);
      w.run(w.thresholds().unreadyGrace().minus(World.TICK));
      w.setReadiness("db-1", true);
      w.run(World.TICK);
    }

    assertThat(w.eventsSince(mark)).doesNotContain(EventReason.FailoverStarted);
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.failovers()).isEqualTo(1);
  }

  @Test
  void unreadyOneTickShortOfTheGraceDoesNotFailOverButReachingItDoes() {
    World w = World.threeNodes().bootstrap();
    w.setReadiness("db-0", false);
    w.tick(); // the kubelet marks it unready now
    java.time.Instant unreadySince = w.primary().readySince;
    w.settle();
    while (w.now.plus(World.TICK).isBefore(unreadySince.plus(w.thresholds().unreadyGrace()))) {
      w.tick();
      w.settle();
    }
    assertThat(w.status.intent()).isNull();
    assertThat(w.status.failovers()).isZero();

    w.tick();
    w.settle();

    assertThat(w.now).isEqualTo(unreadySince.plus(w.thresholds().unreadyGrace()));
    assertThat(w.status.intent().decidedAt()).isEqualTo(w.now);
    assertThat(w.status.intent().faultObservedAt()).isEqualTo(unreadySince);
  }

  @Test
  void aStaleNodeLeaseAloneIsSuspectNotFailed() {
    World w = World.threeNodes().bootstrap();
    w.node(w.primary().node).kubeletStalled = true;
    int mark = w.mark();

    w.run(Duration.ofSeconds(20));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.PrimarySuspect)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.last().phase()).isEqualTo(Phase.Protected);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void aStaleNodeLeaseWithLostHeartbeatsFailsOver() {
    World w = World.threeNodes().bootstrap();
    w.node(w.primary().node).kubeletStalled = true;
    w.podNetworkSplit = true;

    java.time.Instant stalledAt = w.now;

    w.runUntil(x -> x.status.epoch() == 2, "a failover", Duration.ofSeconds(20));

    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.NodeLeaseStale.name());
    assertThat(w.status.lastFailover().decidedAt())
        .isAfter(stalledAt.plus(Thresholds.nodeLeaseStaleAfter(World.NODE_LEASE)));
  }
}
