package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A member lost with its node comes back as the standby when it returns before a fresh standby is in sync, with its
 * own log (the simulated pod keeps its sequence); protection never waits for it.
 */
class MemberRejoinTest {

  private static World twoNodes() {
    return new World(World.policy(UnitPolicy.Mode.Synchronous), "node-a", "node-b").bootstrap();
  }

  @Test
  void onTwoNodesTheFormerPrimaryWhoseNodeComesBackRejoinsAsTheStandbyWithItsLog() {
    World w = twoNodes();
    long seqBefore = w.pod("db-0").seq;
    int mark = w.mark();

    w.killNode("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2
            && x.status.intent() == null
            && x.status.standby() != null
            && x.standby().unschedulable,
        "failed over; the new standby has nowhere to go",
        Duration.ofSeconds(10));
    assertThat(w.pods).as("the former primary is kept, not deleted").containsKey("db-0");
    assertThat(w.actionsSince(mark))
        .noneMatch(a -> a instanceof DeleteMember d && d.pod().equals("db-0"));
    w.run(Duration.ofSeconds(5));

    w.healNode("node-a");
    w.runUntil(x -> x.lastPhase() == Phase.Protected, "protected again", Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.FailoverStarted,
            EventReason.FailoverCompleted,
            EventReason.MemberRejoined,
            EventReason.ProtectionRestored);
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.pod("db-0").role).isEqualTo(Role.Standby);
    assertThat(w.pod("db-0").epoch).isEqualTo(2);
    assertThat(w.pod("db-1").peer).isEqualTo("db-0");
    assertThat(w.pod("db-0").seq)
        .as("it held its log, and caught up from there")
        .isGreaterThanOrEqualTo(seqBefore);
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.lostAtPromotion).containsExactly(0L);
  }

  @Test
  void theFormerPrimaryAlsoRejoinsWhenItsNodeWasDeclaredUnreachableBeforeItCameBack() {
    World w = twoNodes();
    w.killNode("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "failed over",
        Duration.ofSeconds(10));
    w.runUntil(
        x -> x.node("node-a").ready == NodeView.Ready.Unknown,
        "node-a Unknown",
        Duration.ofSeconds(60));
    w.run(Duration.ofSeconds(30));
    assertThat(w.pods).containsKey("db-0");

    w.healNode("node-a");
    w.runUntil(x -> x.lastPhase() == Phase.Protected, "protected again", Duration.ofSeconds(10));

    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.events()).contains(EventReason.MemberRejoined);
  }

  @Test
  void withAThirdNodeTheFreshStandbyProtectsAtOnceAndTheFormerPrimaryGoesOnceItIsInSync() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();

    w.killNode("node-a");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    w.run(w.thresholds().leaseDuration().plusSeconds(1));

    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
    assertThat(w.actionsSince(mark)).contains(new DeleteMember("db-0", true));
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryDeleted)
        .doesNotContain(EventReason.MemberRejoined);

    w.healNode("node-a");
    w.run(Duration.ofSeconds(3));

    assertThat(w.status.standby())
        .as("a standby in sync is never replaced by one that comes back")
        .isEqualTo("db-2");
    assertThat(w.events()).doesNotContain(EventReason.MemberRejoined);
  }

  @Test
  void onTwoNodesAStandbyLostWithItsNodeIsFencedKeptAndRejoinsWhenTheNodeReturns() {
    World w = twoNodes();
    int mark = w.mark();

    w.nodeUnknown("node-b");
    w.runUntil(
        x -> "db-2".equals(x.status.standby()) && x.standby().unschedulable,
        "replaced by a standby with nowhere to go",
        Duration.ofSeconds(10));
    assertThat(w.actionsSince(mark))
        .contains(new Assign("db-1", Role.Fenced, 1, null))
        .noneMatch(a -> a instanceof DeleteMember d && d.pod().equals("db-1"));
    assertThat(w.pods).containsKey("db-1");
    w.run(Duration.ofSeconds(5));

    w.healNode("node-b");
    w.runUntil(x -> x.lastPhase() == Phase.Protected, "protected again", Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.MemberRejoined)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.pod("db-1").role).isEqualTo(Role.Standby);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void aFormerPrimaryWhoseNodeIsBackButWhichIsNotHeardWithinTheGraceIsGivenUp() {
    World w = twoNodes();
    w.killNode("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "failed over",
        Duration.ofSeconds(10));
    w.runUntil(
        x -> x.node("node-a").ready == NodeView.Ready.Unknown,
        "node-a Unknown",
        Duration.ofSeconds(60));
    w.pod("db-0").sidecarHung = true; // it will not be heard again

    w.healNode("node-a");
    w.run(MemberRejoin.RETURN_GRACE.minusSeconds(2));
    assertThat(w.pods).as("awaited for the grace").containsKey("db-0");
    w.runUntil(
        x -> x.lastPhase() == Phase.Protected,
        "protected by a fresh standby",
        Duration.ofSeconds(10));

    assertThat(w.pods).doesNotContainKey("db-0");
    assertThat(w.standby().node).isEqualTo("node-a");
    assertThat(w.events())
        .contains(EventReason.FormerPrimaryDeleted)
        .doesNotContain(EventReason.MemberRejoined);
  }

  @Test
  void aFormerPrimaryWhoseSuspectedNodeNeverTurnsOutDownIsGivenUpANodeLeaseAfterTheSwitch() {
    // Its sidecar hangs (the lease expires) while its node stays Ready and renews: no machine to
    // come back.
    World w = twoNodes();
    w.pod("db-0").sidecarHung = true;
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "failed over",
        Duration.ofSeconds(10));
    java.time.Instant switched = w.status.lastFailover().serviceSwitchedAt();

    w.runUntil(
        x -> !x.pods.containsKey("db-0"), "the former primary given up", Duration.ofSeconds(60));

    assertThat(w.now).isAfterOrEqualTo(switched.plus(World.NODE_LEASE));
    w.runUntil(
        x -> x.lastPhase() == Phase.Protected,
        "protected by a fresh standby on its node",
        Duration.ofSeconds(10));
    assertThat(w.standby().node).isEqualTo("node-a");
  }

  @Test
  void aFormerPrimaryDeposedForItsApplicationIsNeverKept() {
    World w = twoNodes();
    int mark = w.mark();
    w.appCrashLoop("db-0");

    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "failed over",
        Duration.ofSeconds(10));

    assertThat(w.actionsSince(mark)).contains(new DeleteMember("db-0", false));
    Observation o = w.observe();
    o.member("db-0")
        .ifPresent(m -> assertThat(MemberRejoin.keep(o, w.status, m)).isFalse());
  }
}
