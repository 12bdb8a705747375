package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.CreateMember;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A drain of the primary's node: the node is cordoned first ({@code kubectl drain}), and the primary moves in a
 * planned switchover before anything evicts it; a new standby never lands on a node being emptied.
 */
class DrainWithoutFailoverTest {

  @Test
  void cordoningThePrimarysNodeSwitchesOverToTheInSyncStandbyWithoutAFailover() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();

    w.cordon("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null && x.lastPhase() == Phase.Protected,
        "switched and protected",
        Duration.ofSeconds(10));
    w.run(Duration.ofSeconds(1)); // the former primary's graceful termination

    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.StandbyScheduled,
            EventReason.SwitchoverStarted,
            EventReason.PrimaryFenced,
            EventReason.StandbyPromoted,
            EventReason.TrafficSwitched,
            EventReason.FormerPrimaryDeleted,
            EventReason.SwitchoverCompleted,
            EventReason.ProtectionRestored);
    int switchedAt = w.steps.indexOf(w.steps.stream()
        .filter(x -> x.decision().actions().stream()
            .anyMatch(a -> a instanceof Action.PointService ps && ps.pod().equals("db-1")))
        .findFirst()
        .orElseThrow());
    assertThat(w.steps.subList(mark, switchedAt).stream()
            .flatMap(x -> x.decision().actions().stream()))
        .as("the successor db-2 was created, and its sidecar ran, before the switch")
        .anyMatch(a ->
            a instanceof CreateMember c && c.pod().equals("db-2") && c.peer().equals("db-1"));
    assertThat(w.steps.get(switchedAt).observation().member("db-2"))
        .hasValueSatisfying(m -> assertThat(m.report()).isNotNull());
    assertThat(w.events()).filteredOn(e -> e == EventReason.StandbyScheduled).hasSize(1);
    assertThat(w.eventsSince(mark))
        .doesNotContain(EventReason.FailoverStarted, EventReason.DrainWaiting);
    assertThat(w.status.failovers()).as("a planned switchover, not a failover").isZero();
    FailoverTimings t = w.status.lastFailover();
    assertThat(t.planned()).isTrue();
    assertThat(t.reason()).isEqualTo(NodeMaintenance.REASON);
    assertThat(t.message()).contains("node node-a of primary db-0 is cordoned");
    assertThat(t.updatesLost()).isZero();
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.pods).doesNotContainKey("db-0");
    assertThat(w.status.standby()).as("the successor readied before the switch").isEqualTo("db-2");
    assertThat(w.standby().node).as("kept off the cordoned node").isEqualTo("node-c");
    assertThat(w.pod("db-1").peer).isEqualTo("db-2");
  }

  @Test
  void whileTheStandbyCatchesUpTheDrainWaitsAndSaysWhyThenTheSwitchoverFollows() {
    World w = World.threeNodes().bootstrap();
    World.Pod sb = w.standby();
    sb.manualReport = true;
    sb.inSync = false;
    sb.lag = 7L;
    w.tick();
    int mark = w.mark();

    w.cordon("node-a");
    w.run(Duration.ofSeconds(2));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.DrainWaiting)
        .doesNotContain(EventReason.SwitchoverStarted);
    assertThat(w.actionsSince(mark))
        .filteredOn(a -> a instanceof Action.Emit e && e.reason() == EventReason.DrainWaiting)
        .allMatch(a -> ((Action.Emit) a).warning()
            && ((Action.Emit) a)
                .message()
                .contains("standby db-1 is catching up (7 updates behind)"));
    assertThat(w.status.primary()).isEqualTo("db-0");

    sb.manualReport = false; // it catches up
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "switched",
        Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.lastFailover().reason()).isEqualTo(NodeMaintenance.REASON);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void onTwoNodesTheNewStandbyWaitsForTheDrainedNodeAndLandsThereOnceItIsUncordoned() {
    World w = new World(World.policy(UnitPolicy.Mode.Synchronous), "node-a", "node-b").bootstrap();

    w.cordon("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2
            && x.status.intent() == null
            && x.pods.size() == 2
            && x.standby().unschedulable,
        "switched, the new standby waiting",
        Duration.ofSeconds(10));
    assertThat(w.status.failovers()).isZero();
    assertThat(w.standby().node).as("nowhere to go but the cordoned node").isNull();

    w.uncordon("node-a");
    w.runUntil(Phase.Protected, Duration.ofSeconds(10));

    assertThat(w.standby().node).isEqualTo("node-a");
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.epoch()).as("uncordoning moves nothing back").isEqualTo(2);
  }

  @Test
  void aCordonedHomeNodeIsNotPreferredForFailback() {
    World w = World.threeNodes();
    w.policy = new UnitPolicy(
        w.policy.unit(),
        w.policy.mode(),
        true,
        w.policy.recoveryBudget(),
        null,
        true,
        w.policy.templateHash());
    w.bootstrap();
    w.cordon("node-a");
    w.appCrashLoop("db-0");

    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null && x.lastPhase() == Phase.Protected,
        "failed over, protected",
        Duration.ofSeconds(10));
    w.run(Duration.ofSeconds(3));

    assertThat(w.actions())
        .filteredOn(a -> a instanceof CreateMember c && c.pod().equals("db-2"))
        .allMatch(a -> ((CreateMember) a).preferNode() == null);
    assertThat(w.standby().node).isEqualTo("node-c");
    assertThat(w.events()).doesNotContain(EventReason.SwitchoverStarted);
  }

  @Test
  void aSpecChangeDoesNotSwitchOntoAStandbyWhoseNodeIsBeingEmptied() {
    World w = World.threeNodes().bootstrap();
    w.policy = new UnitPolicy(
        w.policy.unit(), w.policy.mode(), true, w.policy.recoveryBudget(), null, false, "h2");
    // The rolled standby lands on node-c; cordon it before the switchover can happen.
    w.runUntil(
        x -> x.pods.containsKey("db-2") && x.pod("db-2").node != null,
        "the rolled standby placed",
        Duration.ofSeconds(5));
    w.cordon(w.pod("db-2").node);
    int mark = w.mark();

    w.run(Duration.ofSeconds(3));

    assertThat(w.eventsSince(mark)).doesNotContain(EventReason.SwitchoverStarted);
    assertThat(w.status.primary()).isEqualTo("db-0");
  }
}
