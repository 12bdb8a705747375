package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A primary whose pod is deleted fails over at once, and its sidecar, lingering through the pod's grace period, is the
 * new primary's standby until a successor pod runs: a Synchronous primary acknowledges again without waiting for a new
 * pod to start.
 */
class FormerDepartingTest {

  @Test
  void aDeletedPrimaryIsTheStandbyUntilItsSuccessorRunsAndTheNewPrimaryAcknowledgesMeanwhile() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    w.autoStart = false; // the successor's pod starts when the test says
    int mark = w.mark();
    w.deletePod("db-0");
    w.settle();
    w.runUntil(
        x -> "db-1".equals(x.selector) && x.status.intent() == null,
        "switched",
        Duration.ofSeconds(5));
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.PodDeleting.name());
    long ackedAtSwitch = w.acked;
    w.run(Duration.ofSeconds(2));
    assertThat(w.acked)
        .as("the new primary acknowledges with the departing former primary as its standby")
        .isGreaterThan(ackedAtSwitch);
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pod("db-0").role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod("db-0").epoch).isEqualTo(2);
    assertThat(w.pod("db-1").peer).isEqualTo("db-0");
    assertThat(w.pod("db-2").node)
        .as("the successor avoids the primary's node and the departing member's")
        .isNotIn(w.pod("db-1").node, w.pod("db-0").node);
    assertThat(w.lastPhase())
        .as("a departing standby is no protection")
        .isNotEqualTo(Phase.Protected);

    w.startPod("db-2");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.FailoverStarted,
            EventReason.TrafficSwitched,
            EventReason.FormerPrimaryDeparting,
            EventReason.FailoverCompleted,
            EventReason.StandbyHandedOver,
            EventReason.ProtectionRestored)
        .doesNotContain(EventReason.FormerPrimaryDeleted, EventReason.StandbyReplaced);
    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.pod("db-1").peer).isEqualTo("db-2");
    assertThat(w.status.failovers()).isEqualTo(1);
    w.run(Duration.ofSeconds(1)); // released (Fenced), its sidecar leaves and the pod goes
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.selector).isEqualTo("db-1");
    assertThat(w.lease.holder()).isEqualTo("db-1");
  }

  @Test
  void aFormerPrimaryTheFailoverKeepsIsTheTargetsPeerFromThePromotionOn() {
    for (java.util.function.Consumer<World> fault :
        java.util.List.<java.util.function.Consumer<World>>of(
            w -> w.deletePod("db-0"), w -> w.appRestarted("db-0"))) {
      World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
      fault.accept(w);
      w.reconcile(); // the intent
      Decision promotion = w.reconcile();
      assertThat(promotion.actions())
          .as("deposed as the standby, and streamed to as soon as the target is the primary")
          .contains(
              new Action.Assign("db-0", Member.Role.Standby, 2, "db-1"),
              new Action.Assign("db-1", Member.Role.Primary, 2, "db-0"))
          .noneMatch(a -> a instanceof Action.PointService);
    }
  }

  @Test
  void aDepartingFormerPrimaryThatLeavesBeforeItsSuccessorRunsHandsTheStandbyToIt() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    w.autoStart = false;
    int mark = w.mark();
    w.deletePod("db-0");
    w.settle();
    w.run(World.SHUTDOWN_MAX.plusSeconds(1)); // its sidecar leaves at OU_SHUTDOWN_MAX
    assertThat(w.pods).doesNotContainKey("db-0");
    assertThat(w.status.standby()).isEqualTo("db-2");
    w.startPod("db-2");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.eventsSince(mark))
        .containsSubsequence(EventReason.FormerPrimaryDeparting, EventReason.StandbyHandedOver);
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
    assertThat(w.lostAtPromotion).containsExactly(0L);
  }

  /** A deposed primary the operator deletes itself is not kept: its sidecar leaves after the keep window. */
  @Test
  void aFormerPrimaryTheOperatorDeletesGoesOnceTheKeepWindowIsOver() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appCrashLoop("db-0"); // not kept as the standby (FormerAsStandby): deleted
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    w.run(World.SHUTDOWN_KEEP_WINDOW.plusSeconds(1));
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryDeleted)
        .doesNotContain(EventReason.FormerPrimaryDeparting);
    assertThat(w.pods).as("gone once its sidecar left").containsOnlyKeys("db-1", "db-2");
  }
}
