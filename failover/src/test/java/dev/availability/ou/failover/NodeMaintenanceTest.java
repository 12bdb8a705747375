package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a primary's node being emptied asks for, case by case, on observations of a small simulated cluster. */
class NodeMaintenanceTest {

  private static NodeMaintenance.Verdict judge(World w) {
    Observation o = w.observe();
    return NodeMaintenance.judge(
        o,
        w.status,
        o.member(w.status.primary()).orElse(null),
        o.member(w.status.standby()).orElse(null));
  }

  @Test
  void nothingWhileThePrimarysNodeIsNotBeingEmptied() {
    World w = World.threeNodes().bootstrap();
    w.cordon("node-c"); // another node: none of the unit's business
    assertThat(judge(w)).isNull();
  }

  @Test
  void aCordonedPrimaryNodeWithAnInSyncStandbyElsewhereFirstReadiesASuccessorThenSwitches() {
    World w = World.threeNodes().bootstrap();
    w.cordon("node-a");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.READY_SUCCESSOR);
    assertThat(v.target().pod()).isEqualTo("db-1");
    assertThat(v.successor()).isNull();
    assertThat(v.message())
        .contains(
            "node node-a of primary db-0 is cordoned",
            "readying a standby to follow the switchover to db-1");

    w.reconcile(); // creates it, a standby of db-1
    assertThat(w.pods).containsKey("db-2");
    assertThat(w.pod("db-2").role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod("db-2").peer).isEqualTo("db-1");
    assertThat(w.pod("db-2").avoid).contains("node-b");
    assertThat(judge(w).step())
        .as("not started yet")
        .isEqualTo(NodeMaintenance.Step.READY_SUCCESSOR);
    assertThat(judge(w).successor().pod()).isEqualTo("db-2");

    for (int i = 0; i < 3; i++) w.tick(); // scheduled on node-c, its sidecar runs and reports
    NodeMaintenance.Verdict now = judge(w);

    assertThat(now.switchNow()).isTrue();
    assertThat(now.target().pod()).isEqualTo("db-1");
    assertThat(now.message())
        .contains(
            "switching to in-sync standby db-1 on node node-b",
            "db-2 on node node-c follows as its standby");
  }

  @Test
  void withNowhereToPlaceASuccessorTheSwitchoverGoesAheadWithoutIt() {
    World w = new World(World.policy(UnitPolicy.Mode.Synchronous), "node-a", "node-b").bootstrap();
    w.cordon("node-a");
    w.reconcile();
    w.tick();

    NodeMaintenance.Verdict v = judge(w);

    assertThat(w.pod("db-2").unschedulable).isTrue();
    assertThat(v.switchNow()).isTrue();
  }

  @Test
  void aSuccessorThatDoesNotStartInTimeIsNotWaitedFor() {
    World w = World.threeNodes().bootstrap();
    w.autoStart = false; // its pod never starts
    w.cordon("node-a");
    w.reconcile();
    w.tick();
    assertThat(judge(w).step()).isEqualTo(NodeMaintenance.Step.READY_SUCCESSOR);

    w.now = w.now.plus(NodeMaintenance.SUCCESSOR_WAIT);

    assertThat(judge(w).switchNow()).isTrue();
  }

  @Test
  void theTaintsWordsAreSaid() {
    World w = World.threeNodes().bootstrap();
    Observation o = w.observe();
    NodeView a = o.nodes().get("node-a");
    java.util.Map<String, NodeView> nodes = new java.util.HashMap<>(o.nodes());
    nodes.put(
        "node-a",
        new NodeView(
            a.name(),
            a.ready(),
            a.readySince(),
            a.leaseRenewedAt(),
            a.leaseDuration(),
            a.observedAt(),
            new NodeView.Maintenance(
                NodeMaintenance.TAINTS.get("ToBeDeletedByClusterAutoscaler"), null)));
    Observation tainted =
        new Observation(o.policy(), o.state(), o.members(), nodes, o.lease(), o.service(), o.now());

    NodeMaintenance.Verdict v = NodeMaintenance.judge(
        tainted,
        w.status,
        tainted.member("db-0").orElseThrow(),
        tainted.member("db-1").orElseThrow());

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.READY_SUCCESSOR);
    assertThat(v.message()).contains("is being removed by the cluster autoscaler");
  }

  @Test
  void aSuccessorThatCannotEvenBeCreatedIsNotWaitedForPastTheWaitSinceTheCordon() {
    // (a namespace quota that refuses a third pod: the creation fails every time, no successor ever
    // exists)
    World w = World.threeNodes().bootstrap();
    w.cordon("node-a");
    assertThat(judge(w).step()).isEqualTo(NodeMaintenance.Step.READY_SUCCESSOR);

    w.now = w.now.plus(NodeMaintenance.SUCCESSOR_WAIT);
    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.switchNow()).isTrue();
    assertThat(v.successor()).isNull();
    assertThat(v.message())
        .contains("switching to in-sync standby db-1")
        .doesNotContain("follows as its standby");
  }

  @Test
  void withoutAStandbyTheDrainWaits() {
    World w = World.threeNodes().bootstrap();
    w.cordon("node-a");
    Observation o = w.observe();

    NodeMaintenance.Verdict v =
        NodeMaintenance.judge(o, w.status, o.member("db-0").orElseThrow(), null);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message())
        .contains(
            "the unit has no standby yet",
            "PodDisruptionBudget refuses the primary's eviction",
            "the drain waits");
  }

  @Test
  void aStandbyCatchingUpMakesTheDrainWait() {
    World w = World.threeNodes().bootstrap();
    World.Pod sb = w.standby();
    sb.manualReport = true;
    sb.inSync = false;
    sb.lag = 42L;
    w.tick();
    w.cordon("node-a");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message())
        .contains("standby db-1 is catching up (42 updates behind)", "the drain waits");
  }

  @Test
  void aStandbyOnANodeBeingEmptiedTooIsNoTarget() {
    World w = World.threeNodes().bootstrap();
    w.cordon("node-a");
    w.cordon("node-b");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message()).contains("node node-b of standby db-1 is cordoned too");
  }

  @Test
  void aStandbyWhoseNodeIsNotReadyIsNoTarget() {
    World w = World.threeNodes().bootstrap();
    w.cordon("node-a");
    w.nodeNotReady("node-b");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message()).contains("node node-b of standby db-1 is not ready");
  }

  @Test
  void aStandbySharingThePrimarysNodeIsNoTarget() {
    // (placement.antiAffinity Preferred may co-locate them when nothing else fits)
    World w = World.threeNodes().bootstrap();
    w.standby().node = "node-a";
    w.cordon("node-a");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message()).contains("standby db-1 shares it");
  }

  @Test
  void anAsynchronousStandbyTrailingBeyondMaxPromotableLagIsNoTarget() {
    World w = new World(
        new UnitPolicy(
            "db", UnitPolicy.Mode.Asynchronous, true, Duration.ofSeconds(5), 3L, false, "h1"),
        "node-a",
        "node-b",
        "node-c");
    w.asyncLag = 10;
    w.settle();
    w.run(Duration.ofSeconds(2)); // (never Protected: it trails too far)
    w.cordon("node-a");

    NodeMaintenance.Verdict v = judge(w);

    assertThat(v.step()).isEqualTo(NodeMaintenance.Step.WAIT);
    assertThat(v.message())
        .contains(
            "standby db-1 trails by 10 updates, more than maxPromotableLag 3", "the drain waits");
  }

  @Test
  void aSwitchoverMayMoveServiceOnlyWhereTheNodeIsNeitherDownNorBeingEmptied() {
    World w = World.threeNodes().bootstrap();
    Observation o = w.observe();
    Member sb = o.member("db-1").orElseThrow();
    assertThat(NodeMaintenance.mayReceive(o, sb)).isTrue();

    w.cordon("node-b");
    assertThat(NodeMaintenance.mayReceive(w.observe(), sb)).isFalse();

    w.uncordon("node-b");
    w.nodeNotReady("node-b");
    assertThat(NodeMaintenance.mayReceive(w.observe(), sb)).isFalse();

    Observation noNodes = new Observation(
        o.policy(), o.state(), o.members(), java.util.Map.of(), o.lease(), o.service(), o.now());
    assertThat(NodeMaintenance.mayReceive(noNodes, sb))
        .as("a node the operator does not see is not held against it")
        .isTrue();
  }
}
