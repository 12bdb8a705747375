package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Emit;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every single fault of the primary ends in a complete failover: the standby serves at a new epoch, traffic
 * moved, the former primary fenced and removed, a new standby in sync on another node, one failover counted,
 * nothing acknowledged lost (Synchronous mode), all within the recovery budget.
 */
class PrimaryFaultFailoverTest {

  private static final List<EventReason> STORY = List.of(
      EventReason.FailoverStarted,
      EventReason.StandbyScheduled, // made at the decision (EarlySuccessor)
      EventReason.PrimaryFenced,
      EventReason.StandbyPromoted,
      EventReason.TrafficSwitched,
      EventReason.FailoverCompleted,
      EventReason.ProtectionRestored);

  /** Injects the fault, runs until protected again, checks the whole story; returns the world for more checks. */
  private static World failsOver(
      Consumer<World> fault, Signal.Kind expectedReason, boolean nodeFault) {
    return failsOver(UnitPolicy.Mode.Synchronous, fault, expectedReason, nodeFault);
  }

  private static World failsOver(
      UnitPolicy.Mode mode, Consumer<World> fault, Signal.Kind expectedReason, boolean nodeFault) {
    World w = World.threeNodes(mode).bootstrap();
    String formerNode = w.primary().node;
    int mark = w.mark();

    fault.accept(w);
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    w.run(w.thresholds()
        .leaseDuration()
        .plusSeconds(1)); // the former primary's forced deletion, if it needs one

    assertThat(w.phasesSince(mark))
        .containsSubsequence(Phase.FailingOver, Phase.Synchronizing, Phase.Protected);
    assertThat(w.eventsSince(mark)).containsSubsequence(STORY);
    assertThat(w.eventsSince(mark))
        .doesNotContain(EventReason.FailoverBlocked, EventReason.FailoverAborted);
    boolean formerAlreadyLeaving =
        w.steps.get(mark).observation().member("db-0").map(Member::deleting).orElse(true);
    if (!formerAlreadyLeaving)
      assertThat(w.eventsSince(mark)).contains(EventReason.FormerPrimaryDeleted);
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.intent()).isNull();
    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.selector).isEqualTo("db-1");
    assertThat(w.endpoints).containsExactly("db-1");
    assertThat(w.lease.holder()).isEqualTo("db-1");
    assertThat(w.lease.epoch()).isEqualTo(2);
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
    assertThat(w.pod("db-1").role).isEqualTo(Member.Role.Primary);
    assertThat(w.pod("db-1").peer)
        .as("the new primary streams to its new standby")
        .isEqualTo("db-2");
    assertThat(w.pod("db-2").node).isNotEqualTo(w.pod("db-1").node);
    if (nodeFault)
      assertThat(w.pod("db-2").node)
          .as("the new standby avoids the failed node")
          .isNotEqualTo(formerNode);
    assertThat(w.lostAtPromotion).containsExactly(0L);
    FailoverTimings t = w.status.lastFailover();
    assertThat(t.reason()).isEqualTo(expectedReason.name());
    assertThat(t.former()).isEqualTo("db-0");
    assertThat(t.newPrimary()).isEqualTo("db-1");
    assertThat(t.planned()).isFalse();
    assertThat(t.updatesLost()).isZero();
    assertThat(t.withinRecoveryBudget()).isTrue();
    assertThat(t.standbyReadyAt()).isNotNull();
    assertThat(w.last().phase()).isEqualTo(Phase.Protected);
    return w;
  }

  @Test
  void primaryPodGoneFailsOver() {
    failsOver(w -> w.removePod("db-0"), Signal.Kind.PodGone, false);
  }

  @Test
  void primaryPodEvictedFailsOver() {
    failsOver(w -> w.evict("db-0"), Signal.Kind.PodFailed, false);
  }

  @Test
  void primaryPodSucceededFailsOver() {
    failsOver(
        w -> {
          w.primary().phase = Member.PodPhase.Succeeded;
          w.primary().ready = false;
        },
        Signal.Kind.PodFailed,
        false);
  }

  @Test
  void primaryAppWaitingInCrashLoopBackOffFailsOver() {
    failsOver(w -> w.appCrashLoop("db-0"), Signal.Kind.AppCrashed, false);
  }

  @Test
  void primaryUnreadyForTheGraceFailsOver() {
    World w = failsOver(x -> x.setReadiness("db-0", false), Signal.Kind.Unready, false);
    assertThat(w.status.lastFailover().detection())
        .isGreaterThanOrEqualTo(w.thresholds().unreadyGrace());
  }

  @Test
  void primaryNodeNotReadyFailsOver() {
    failsOver(w -> w.nodeNotReady(w.primary().node), Signal.Kind.NodeNotReady, true);
  }

  @Test
  void primaryNodeUnknownFailsOver() {
    failsOver(w -> w.nodeUnknown(w.primary().node), Signal.Kind.NodeNotReady, true);
  }

  @Test
  void inSynchronousModeAPrimaryThatCannotRenewItsLeaseServesOnWhileItsStandbyHearsIt() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();
    w.primary().leaseBlocked = true;
    w.run(Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark)).isEmpty();
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.canAcknowledge(w.primary()))
        .as("it serves on its standby's confirmation")
        .isTrue();
  }

  @Test
  void primaryLeaseExpiredFailsOverAndTheFormerPrimaryWhoseSidecarRunsOnRejoinsAsTheStandby() {
    // Only the primary's lease renewals fail; its sidecar runs on, reads its fence and says so
    // before the new standby is in sync: it holds the log, so it becomes the standby again
    // (MemberRejoin) and the new one goes. Asynchronous: there the lease alone keeps a primary
    // serving.
    World w = World.threeNodes(UnitPolicy.Mode.Asynchronous).bootstrap();
    int mark = w.mark();
    w.primary().leaseBlocked = true;
    w.settle();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.FailoverStarted,
            EventReason.StandbyScheduled,
            EventReason.PrimaryFenced,
            EventReason.StandbyPromoted,
            EventReason.TrafficSwitched,
            EventReason.FailoverCompleted,
            EventReason.MemberRejoined,
            EventReason.ProtectionRestored);
    assertThat(w.status.lastFailover().reason()).isEqualTo(Signal.Kind.LeaseExpired.name());
    assertThat(w.steps.stream()
            .filter(s -> s.decision().phase() == Phase.FailingOver)
            .findFirst()
            .orElseThrow()
            .at())
        .as("not promoted before the lease expired")
        .isAfterOrEqualTo(w.status
            .lastFailover()
            .faultObservedAt()
            .minus(w.thresholds().renewInterval())
            .plus(w.thresholds().leaseDuration()));
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.status.failovers()).isEqualTo(1);
    // (the standby made when the failover was decided runs already: it terminates as pods do)
    w.runUntil(x -> !x.pods.containsKey("db-2"), "db-2 gone", Duration.ofSeconds(40));
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.pod("db-0").role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod("db-1").peer)
        .as("the new primary streams to the member that came back")
        .isEqualTo("db-0");
    assertThat(w.lostAtPromotion).containsExactly(0L);
  }

  @Test
  void asynchronousStandbyReportingPeerLostWhileTheLeaseIsOverdueFailsOver() {
    // The primary's node dies; the API server still shows it Ready (the node grace is 40 s), but
    // the standby lost the heartbeats and the lease is overdue: two weak signals.
    World w = failsOver(
        UnitPolicy.Mode.Asynchronous,
        x -> x.killNode(x.primary().node),
        Signal.Kind.LeaseOverdue,
        true);
    assertThat(w.status.lastFailover().message())
        .contains("lost the primary's heartbeats", "lease renewal overdue");
    assertThat(w.status.lastFailover().trafficSwitched())
        .isLessThan(w.thresholds().leaseDuration().plus(World.TICK.multipliedBy(3)));
  }

  @Test
  void synchronousStandbyReportingPeerLostEndsThePrimaryThatNoLongerRenewsAtOnce() {
    // Its standby vouched for it (no renewals); once the standby reports it lost and no renewal
    // came since, the primary's failsafe is over: it acknowledges nothing, LeaseExpired, as soon as
    // the report is seen.
    World w = failsOver(x -> x.killNode(x.primary().node), Signal.Kind.LeaseExpired, true);
    assertThat(w.status.lastFailover().message())
        .contains("lost the primary's heartbeats", "its standby has not heard it");
    assertThat(w.status.lastFailover().detection())
        .isLessThanOrEqualTo(w.thresholds().peerLostAfter().plus(World.TICK.multipliedBy(2)));
  }

  @Test
  void primaryNodeCutOffFromEverythingFailsOverAndItsPodIsForceDeletedOnlyOnceFenced() {
    World w = failsOver(x -> x.isolateNode(x.primary().node), Signal.Kind.LeaseExpired, true);
    assertThat(w.actions()).contains(new Action.DeleteMember("db-0", true));
  }

  @Test
  void theFailoverEventsAreWarningsOnlyWhereSomethingWentWrong() {
    World w = failsOver(x -> x.appCrashLoop("db-0"), Signal.Kind.AppCrashed, false);
    assertThat(w.actions())
        .filteredOn(a -> a instanceof Emit e && e.reason() == EventReason.FailoverStarted)
        .allMatch(a -> ((Emit) a).warning());
    assertThat(w.actions())
        .filteredOn(a -> a instanceof Emit e && e.reason() == EventReason.ProtectionRestored)
        .noneMatch(a -> ((Emit) a).warning());
  }
}
