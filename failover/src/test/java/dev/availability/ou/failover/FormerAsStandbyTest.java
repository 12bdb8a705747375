package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A primary failed over because its application crashed keeps its pod, and its live sidecar becomes the new primary's
 * standby: no new pod, and a Synchronous primary acknowledges again before the former primary's application is back.
 */
class FormerAsStandbyTest {

  @Test
  void anAppCrashKeepsTheFormerPrimaryAsTheStandbyAndTheNewPrimaryAcknowledgesBeforeItsAppIsBack() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appExits("db-0", Duration.ofSeconds(3));
    w.settle();
    w.runUntil(
        x -> "db-1".equals(x.selector) && x.status.intent() == null,
        "switched",
        Duration.ofSeconds(5));
    long ackedAtSwitch = w.acked;
    w.run(Duration.ofSeconds(1));
    assertThat(w.pod("db-0").appDown)
        .as("the former primary's application is still restarting")
        .isTrue();
    assertThat(w.acked)
        .as("the new primary acknowledges with the former primary's sidecar as its in-sync standby")
        .isGreaterThan(ackedAtSwitch);
    assertThat(w.lastPhase())
        .as("not Protected while the standby's application restarts")
        .isNotEqualTo(Phase.Protected);

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryKept)
        .doesNotContain(
            EventReason.FormerPrimaryDeleted,
            EventReason.StandbyScheduled,
            EventReason.StandbyReplaced);
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pod("db-1").peer).isEqualTo("db-0");
    assertThat(w.pod("db-0").role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod("db-0").epoch).isEqualTo(2);
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.AppCrashed.name());
  }

  @Test
  void anAppThatRestartedAtOnceLeavesItsFormerPrimaryAsTheStandby() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appRestarted("db-0");
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryKept)
        .doesNotContain(EventReason.FormerPrimaryDeleted, EventReason.StandbyScheduled);
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.AppRestarted.name());
  }

  @Test
  void anAppThatDoesNotComeBackWithinTheStartupAllowanceIsReplacedByANewStandby() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appTerminated("db-0"); // and the kubelet does not start it again
    w.settle();
    Duration allowance = w.thresholds().startupAllowance();
    w.run(allowance.minusSeconds(2));
    assertThat(w.status.standby()).as("kept while it may still restart").isEqualTo("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(15));
    assertThat(w.eventsSince(mark))
        .containsSubsequence(EventReason.FormerPrimaryKept, EventReason.StandbyReplaced);
    assertThat(w.status.standby()).isEqualTo("db-2");
    w.run(Duration.ofSeconds(3)); // its graceful deletion
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
  }

  @Test
  void anAppInCrashLoopBackOffIsNotKept() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appCrashLoop("db-0");
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryDeleted, EventReason.StandbyScheduled)
        .doesNotContain(EventReason.FormerPrimaryKept);
    assertThat(w.status.standby()).isEqualTo("db-2");
  }

  @Test
  void aNodeFaultNeverKeepsTheFormerPrimaryAsTheStandby() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.killNode("node-a");
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(20));
    assertThat(w.eventsSince(mark)).doesNotContain(EventReason.FormerPrimaryKept);
    assertThat(w.status.standby()).isNotEqualTo("db-0");
  }

  /** The race CI saw: the sidecar reports the dead application before the kubelet reports the crash. */
  @Test
  void aSidecarThatReportsItsAppUnhealthyBeforeTheKubeletSeesTheCrashKeepsTheFormerPrimary() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appReportedUnhealthy("db-0", true);
    w.settle();
    w.run(Duration.ofMillis(300));
    w.appExits("db-0", Duration.ofSeconds(2));
    w.run(Duration.ofSeconds(3));
    w.appReportedUnhealthy("db-0", false);
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.AppUnhealthy.name());
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FormerPrimaryKept)
        .doesNotContain(EventReason.FormerPrimaryDeleted, EventReason.StandbyScheduled);
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.lostAtPromotion).containsExactly(0L);
  }

  /** An application that hangs (its sidecar says unhealthy, the kubelet sees it running) is kept, then replaced. */
  @Test
  void anAppThatStaysUnhealthyIsReplacedOnceTheStartupAllowanceIsOver() {
    World w = World.threeNodes(UnitPolicy.Mode.Synchronous).bootstrap();
    int mark = w.mark();
    w.appReportedUnhealthy("db-0", true);
    w.settle();
    w.run(w.thresholds().startupAllowance().minusSeconds(2));
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.standby()).as("kept while it may still recover").isEqualTo("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(15));
    assertThat(w.eventsSince(mark))
        .containsSubsequence(EventReason.FormerPrimaryKept, EventReason.StandbyReplaced);
    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.AppUnhealthy.name());
  }
}
