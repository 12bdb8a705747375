package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.CreateMember;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Planned moves: a spec change rolls the standby first and then switches over; failback returns home. */
class RollingUpdateAndFailbackTest {

  private static UnitPolicy withHash(UnitPolicy p, String hash) {
    return new UnitPolicy(
        p.unit(),
        p.mode(),
        p.automatic(),
        p.recoveryBudget(),
        p.maxPromotableLag(),
        p.failback(),
        hash);
  }

  private static UnitPolicy withFailback(UnitPolicy p) {
    return new UnitPolicy(
        p.unit(),
        p.mode(),
        p.automatic(),
        p.recoveryBudget(),
        p.maxPromotableLag(),
        true,
        p.templateHash());
  }

  @Test
  void aSpecChangeReplacesTheStaleStandbyFirstThenSwitchesOverWithoutCountingAFailover() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();

    w.policy = withHash(w.policy, "h2");
    w.runUntil(
        x -> x.status.epoch() == 2
            && x.status.intent() == null
            && x.lastPhase() == Phase.Protected
            && x.pods.values().stream().allMatch(p -> "h2".equals(p.templateHash))
            && x.pods.size() == 2,
        "rolled",
        Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.RollingUpdate,
            EventReason.SwitchoverStarted,
            EventReason.StandbyPromoted,
            EventReason.TrafficSwitched,
            EventReason.SwitchoverCompleted);
    assertThat(w.eventsSince(mark))
        .doesNotContain(
            EventReason.FailoverStarted,
            EventReason.FailoverCompleted,
            EventReason.FailoverBlocked);
    assertThat(w.actionsSince(mark)).contains(new Action.DeleteMember("db-1", false));
    assertThat(w.status.primary()).isEqualTo("db-2");
    assertThat(w.status.standby()).isEqualTo("db-3");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.lastFailover().planned()).isTrue();
    assertThat(w.status.lastFailover().reason()).isEqualTo("SpecChanged");
    assertThat(w.status.lastFailover().updatesLost()).isZero();
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.phasesSince(mark)).doesNotContain(Phase.Degraded);
  }

  @Test
  void aPlannedSwitchInAsynchronousModeRecordsTheUpdatesTheTrailingStandbyLacked() {
    UnitPolicy p = World.policy(UnitPolicy.Mode.Asynchronous);
    World w = new World(p, "node-a", "node-b", "node-c");
    w.asyncLag = 5;
    w.bootstrap();
    w.run(Duration.ofSeconds(1));

    w.policy = withHash(w.policy, "h2");
    w.runUntil(
        x -> x.status.lastFailover() != null && x.status.lastFailover().planned(),
        "switched over",
        Duration.ofSeconds(10));

    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(5);
    assertThat(w.lostAtPromotion).containsExactly(5L);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void aSpecChangeDoesNotRollWhileThePrimaryIsUnready() {
    World w = World.threeNodes().bootstrap();
    w.setReadiness("db-0", false);
    w.tick();
    w.policy = withHash(w.policy, "h2");
    int mark = w.mark();

    w.settle();

    assertThat(w.eventsSince(mark))
        .doesNotContain(EventReason.RollingUpdate, EventReason.SwitchoverStarted);
  }

  @Test
  void aSwitchoverWhoseTargetFailsIsAbandonedAndThePrimaryKeepsServing() {
    World w = World.threeNodes().bootstrap();
    w.policy = withHash(w.policy, "h2");
    for (int i = 0; i < 100 && w.status.intent() == null; i++) {
      w.tick();
      w.reconcile(); // one decision at a time, to stop right after the switchover is decided
    }
    assertThat(w.status.intent().planned()).isTrue();
    assertThat(w.status.intent().target()).isEqualTo("db-2");
    w.evict("db-2");

    Decision d = w.reconcile();

    assertThat(d.phase()).isNotEqualTo(Phase.Degraded);
    assertThat(d.persistStateFirst()).isTrue();
    assertThat(d.state().intent()).isNull();
    assertThat(d.state().primary()).isEqualTo("db-0");
    assertThat(d.actions())
        .anyMatch(a -> a instanceof Action.Emit e && e.reason() == EventReason.FailoverAborted);
    assertThat(d.actions()).noneMatch(a -> a instanceof Action.PointService);
  }

  @Test
  void failbackMovesServiceBackToTheHomeNodeOnceAStandbyThereIsInSync() {
    World w = World.threeNodes();
    w.policy = withFailback(w.policy);
    w.bootstrap();
    assertThat(w.status.homeNode()).isEqualTo("node-a");
    int mark = w.mark();

    w.appCrashLoop("db-0");
    w.runUntil(
        x -> x.status.epoch() == 3 && x.status.intent() == null && x.lastPhase() == Phase.Protected,
        "failed back",
        Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.FailoverStarted,
            EventReason.FailoverCompleted,
            EventReason.SwitchoverStarted,
            EventReason.SwitchoverCompleted);
    CreateMember home = w.actionsSince(mark).stream()
        .filter(a -> a instanceof CreateMember c && c.pod().equals("db-2"))
        .map(a -> (CreateMember) a)
        .findFirst()
        .orElseThrow();
    assertThat(home.preferNode()).isEqualTo("node-a");
    assertThat(w.primary().node).isEqualTo("node-a");
    assertThat(w.status.primary()).isEqualTo("db-2");
    assertThat(w.status.failovers())
        .as("the failback is planned, not a failover")
        .isEqualTo(1);
    assertThat(w.status.lastFailover().reason()).isEqualTo("Failback");
    assertThat(w.standby().node).isNotEqualTo("node-a");
    assertThat(w.lostAtPromotion).containsOnly(0L);
  }

  @Test
  void withoutFailbackTheServiceStaysOnThePromotedStandby() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    w.run(Duration.ofSeconds(5));

    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.events()).doesNotContain(EventReason.SwitchoverStarted);
    assertThat(w.actions())
        .filteredOn(a -> a instanceof CreateMember c && c.pod().equals("db-2"))
        .allMatch(a -> ((CreateMember) a).preferNode() == null);
  }

  @Test
  void failbackDoesNotPreferAHomeNodeThatIsDown() {
    World w = World.threeNodes();
    w.policy = withFailback(w.policy);
    w.bootstrap();
    w.nodeUnknown("node-a");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    CreateMember c = w.actions().stream()
        .filter(a -> a instanceof CreateMember cm && cm.pod().equals("db-2"))
        .map(a -> (CreateMember) a)
        .findFirst()
        .orElseThrow();
    assertThat(c.preferNode()).isNull();
    assertThat(c.avoidNodes()).contains("node-a");
    assertThat(w.status.primary()).isEqualTo("db-1");
  }
}
