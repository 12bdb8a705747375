package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Member.AppContainer;
import dev.availability.ou.failover.pool.PoolSeat;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The detection rules, one observation at a time. */
class PrimaryHealthEvaluatorTest {
  private final PrimaryHealthEvaluator evaluator = new PrimaryHealthEvaluator();
  private World w;
  private Thresholds t;

  @BeforeEach
  void protectedUnit() {
    w = World.threeNodes().bootstrap();
    t = w.thresholds();
    w.standby().inSyncSince = w.now.minusSeconds(600); // long in sync: it bounds nothing below
  }

  /** The standby as its sidecar reports it at the unit's epoch: in sync since {@code since}, or not (null). */
  private void standbyInSyncSince(Instant since) {
    World.Pod sb = w.standby();
    sb.manualReport = true;
    sb.inSync = since != null;
    sb.inSyncSince = since;
  }

  private Verdict verdict() {
    return evaluator.evaluate(w.observe());
  }

  /** Asynchronous mode: the lease alone says the primary lives (in the others its in-sync standby vouches for it). */
  private void asynchronous() {
    w = new World(World.policy(UnitPolicy.Mode.Asynchronous), "node-a", "node-b", "node-c")
        .bootstrap();
    t = w.thresholds();
  }

  private void leaseRenewedAgo(Duration age) {
    w.lease =
        new PrimaryLease(w.lease.holder(), w.lease.epoch(), w.now.minus(age), w.lease.duration());
  }

  private void standbyReportsPeerLost() {
    World.Pod sb = w.standby();
    sb.manualReport = true;
    sb.peerLost = true;
    sb.peerHeartbeatAge = t.peerLostAfter().toMillis();
  }

  @Test
  void aServingPrimaryIsHealthy() {
    Verdict v = verdict();
    assertThat(v.status()).isEqualTo(Verdict.Status.Healthy);
    assertThat(v.signals()).isEmpty();
  }

  @Test
  void unreadyJustShortOfTheGraceIsHealthyAndAsksToLookAgainWhenTheGraceEnds() {
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace()).plusMillis(1);
    Verdict v = verdict();
    assertThat(v.status()).isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter()).isEqualTo(Duration.ofMillis(1));
  }

  /** Seen with real pods: a primary whose JVM was still starting was failed over at bootstrap, then in a loop. */
  @Test
  void aPrimaryStartingUpGetsTheStartupAllowanceBeforeItsUnreadinessCounts() {
    Instant started = w.now
        .minus(t.unreadyGrace())
        .minusSeconds(1); // past the plain grace, even counted from readySince
    w.standby().ready = true; // and ready before it: the allowance counts from the app's start
    w.standby().readySince = started.minusSeconds(1);
    w.primary().app = new AppContainer(AppContainer.State.Running, 0, null, started);
    w.primary().ready = false;
    w.primary().readySince = started.plusMillis(
        700); // as the operator first saw the pod, just after the app started (startedAt is to the
    // second)
    Verdict starting = verdict();
    assertThat(starting.status()).isEqualTo(Verdict.Status.Healthy);
    assertThat(starting.recheckAfter())
        .isLessThanOrEqualTo(
            t.unreadyGrace().plus(t.startupAllowance()).minus(Duration.between(started, w.now)));

    w.now = started.plus(t.unreadyGrace()).plus(t.startupAllowance());
    assertThat(verdict().failed()).as("still unready after the allowance").isTrue();
  }

  /** CI: a new unit failed over once, Unready, while its primary's JVM started on a loaded machine. */
  @Test
  void aStartingPrimaryGetsAsLongAsADefaultStartupProbeEvenWithAShortBudget() {
    Instant started = w.now.minusSeconds(25); // five times this unit's recovery budget
    w.primary().app = new AppContainer(AppContainer.State.Running, 0, null, started);
    w.primary().ready = false;
    w.primary().readySince = started;
    assertThat(t.startupAllowance()).isEqualTo(Duration.ofSeconds(30));
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }

  /** CI, twice: a new Required unit failed over at creation, its primary unready while its standby's pod started. */
  @Test
  void aStartingPrimaryCountsItsAllowanceFromItsStandbysReadiness() {
    Instant started = w.now.minus(t.unreadyGrace()).minus(t.startupAllowance()).minusSeconds(5);
    w.primary().app = new AppContainer(AppContainer.State.Running, 0, null, started);
    w.primary().ready = false;
    w.primary().readySince = started;
    w.standby().ready = false;
    w.standby().readySince = started;
    assertThat(verdict().status())
        .as("its standby is not ready yet")
        .isEqualTo(Verdict.Status.Healthy);

    w.standby().ready = true;
    w.standby().readySince = w.now.minusSeconds(1);
    Verdict v = verdict();
    assertThat(v.status())
        .as("its standby turned ready a second ago")
        .isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter())
        .isEqualTo(t.unreadyGrace().plus(t.startupAllowance()).minusSeconds(1));

    w.now = w.now.plus(t.unreadyGrace()).plus(t.startupAllowance());
    assertThat(verdict().failed())
        .as("still unready an allowance after its standby")
        .isTrue();
  }

  @Test
  void aPrimaryThatWasReadySinceItsAppStartedGetsNoAllowance() {
    Instant started = w.now.minusSeconds(60);
    w.primary().app = new AppContainer(AppContainer.State.Running, 0, null, started);
    w.primary().ready = false;
    w.primary().readySince =
        w.now.minus(t.unreadyGrace()); // it was ready, and turned unready since
    assertThat(verdict().failed()).isTrue();
  }

  /**
   * CI (the pool drill): a Synchronous primary unready while its standby caught up was failed over the moment that
   * standby reported in sync, before the primary's Ready condition had caught up. Its unreadiness counts from the
   * standby's being in sync: before, nothing could be promoted, and it may have been unready for want of that standby.
   */
  @Test
  void aSynchronousPrimarysUnreadinessCountsFromItsStandbyBeingInSync() {
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace()).minusSeconds(5);
    standbyInSyncSince(null);
    Verdict v = verdict();
    assertThat(v.status())
        .as(
            "unready past the grace while its standby is not in sync: nothing to promote, no failure")
        .isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter()).isLessThanOrEqualTo(t.unreadyGrace());

    standbyInSyncSince(w.now.minusMillis(300));
    v = verdict();
    assertThat(v.status())
        .as("its standby in sync for 300 ms: the primary gets the grace from then")
        .isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter()).isLessThanOrEqualTo(t.unreadyGrace().minusMillis(300));

    w.now = w.now.minusMillis(300).plus(t.unreadyGrace());
    v = verdict();
    assertThat(v.failed())
        .as("still unready the whole grace after its standby got in sync")
        .isTrue();
    assertThat(v.faultObservedAt(w.now)).isEqualTo(w.now.minus(t.unreadyGrace()));
  }

  /** The standby's clock ahead of the operator's by d postpones the count by d at most (clocks are kept in step). */
  @Test
  void aStandbyInSyncSinceATimeAheadOfTheOperatorsClockPostponesTheCountByThatMuchAtMost() {
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace()).minusSeconds(5);
    Instant ahead = w.now.plusSeconds(3);
    standbyInSyncSince(ahead);
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.now = ahead.plus(t.unreadyGrace());
    assertThat(verdict().failed()).isTrue();
  }

  @Test
  void aStandbyWhoseSidecarDoesNotSaySinceWhenItIsInSyncBoundsNothing() {
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace());
    standbyInSyncSince(null);
    w.standby().inSync = true;
    assertThat(verdict().failed()).isTrue();
  }

  @Test
  void anAsynchronousPrimarysUnreadinessCountsWhateverItsStandbySays() {
    asynchronous();
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace());
    standbyInSyncSince(null);
    assertThat(verdict().failed())
        .as("an asynchronous standby is promotable within its lag, in sync or not")
        .isTrue();
  }

  @Test
  void unreadyForTheGraceIsFailed() {
    w.primary().ready = false;
    w.primary().readySince = w.now.minus(t.unreadyGrace());
    Verdict v = verdict();
    assertThat(v.failed()).isTrue();
    assertThat(v.mainKind()).isEqualTo(Signal.Kind.Unready);
    assertThat(v.faultObservedAt(w.now)).isEqualTo(w.now.minus(t.unreadyGrace()));
  }

  /** Seen in the drills: a standby unready a moment before its promotion was failed over 0.35 s after it. */
  @Test
  void aPromotedPrimaryCountsAsUnreadyFromItsPromotionAtTheEarliest() {
    Instant promoted = w.now.minusMillis(350);
    w.status = w.status.withLastFailover(new FailoverTimings(
        "db-9",
        w.status.primary(),
        2,
        "Unready",
        "",
        promoted.minusSeconds(2),
        promoted.minusSeconds(1),
        promoted,
        null,
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Failover));
    w.primary().ready = false;
    w.primary().readySince =
        w.now.minus(t.unreadyGrace()).minusSeconds(5); // unready since well before, as a standby
    Verdict v = verdict();
    assertThat(v.status())
        .as("unready for 350 ms since its promotion")
        .isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter()).isEqualTo(t.unreadyGrace().minusMillis(350));

    w.now = promoted.plus(t.unreadyGrace());
    assertThat(verdict().failed())
        .as("still unready the whole grace after its promotion")
        .isTrue();
  }

  @Test
  void aRestartAtTheBaselineIsNotASignalButOneAboveIs() {
    w.primary().app = AppContainer.running(0);
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.primary().app = new AppContainer(AppContainer.State.Running, 1, null, w.now);
    assertThat(verdict().mainKind()).isEqualTo(Signal.Kind.AppRestarted);
  }

  @Test
  void withoutABaselineARestartCountAloneIsNotASignal() {
    w.status = w.status.withPrimaryRestartBaseline(null);
    w.primary().app = new AppContainer(AppContainer.State.Running, 3, null, w.now);
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }

  @Test
  void aContainerStillBeingCreatedIsNotACrash() {
    w.primary().app = new AppContainer(AppContainer.State.Waiting, 0, "ContainerCreating", null);
    assertThat(verdict().signals()).noneMatch(s -> s.kind() == Signal.Kind.AppCrashed);
  }

  @Test
  void waitingAfterARestartIsACrash() {
    w.primary().app = new AppContainer(AppContainer.State.Waiting, 1, "Error", null);
    assertThat(verdict().mainKind()).isEqualTo(Signal.Kind.AppCrashed);
  }

  @Test
  void anUnhealthyAppReportFromAnOlderEpochIsIgnored() {
    w.primary().appHealthy = false;
    w.primary().reportEpoch = 0;
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.primary().reportEpoch = 1;
    assertThat(verdict().mainKind()).isEqualTo(Signal.Kind.AppUnhealthy);
  }

  @Test
  void theLeaseOverdueAloneIsSuspectAndAsksToLookAgainWhenItWouldExpire() {
    asynchronous();
    leaseRenewedAgo(t.leaseOverdue());
    Verdict v = verdict();
    assertThat(v.status()).isEqualTo(Verdict.Status.Suspect);
    assertThat(v.signals()).extracting(Signal::kind).containsExactly(Signal.Kind.LeaseOverdue);
    assertThat(v.recheckAfter()).isEqualTo(t.leaseDuration().minus(t.leaseOverdue()));
  }

  @Test
  void aFreshLeaseAsksToLookAgainWhenItWouldBeOverdue() {
    asynchronous();
    leaseRenewedAgo(Duration.ofMillis(100));
    assertThat(verdict().recheckAfter()).isEqualTo(t.leaseOverdue().minusMillis(100));
  }

  @Test
  void theLeaseExpiredIsFailedAndTheFaultDatesFromTheFirstMissedRenewal() {
    asynchronous();
    leaseRenewedAgo(t.leaseDuration());
    Verdict v = verdict();
    assertThat(v.failed()).isTrue();
    assertThat(v.mainKind()).isEqualTo(Signal.Kind.LeaseExpired);
    assertThat(v.faultObservedAt(w.now))
        .isEqualTo(w.now.minus(t.leaseDuration()).plus(t.renewInterval()));
  }

  @Test
  void aLeaseHeldByAnotherMemberOrAnOlderEpochOrNotYetRenewedSaysNothing() {
    Instant old = w.now.minus(Duration.ofMinutes(1));
    w.lease = new PrimaryLease("db-1", 1, old, t.leaseDuration());
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.lease = new PrimaryLease("db-0", 0, old, t.leaseDuration());
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.lease = new PrimaryLease("db-0", 1, null, t.leaseDuration());
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }

  @Test
  void
      inSynchronousModeAPrimaryItsInSyncStandbyHearsIsAliveWithoutRenewingItsLeaseAndNeedsNoTimer() {
    leaseRenewedAgo(Duration.ofMinutes(10));
    Verdict v = verdict();
    assertThat(v.status()).isEqualTo(Verdict.Status.Healthy);
    assertThat(v.recheckAfter())
        .as("the standby's report of a loss is a pod event")
        .isNull();
  }

  @Test
  void inSynchronousModeThePrimaryCountsAsLastAliveWhenItsStandbyLastHeardIt() {
    leaseRenewedAgo(Duration.ofMinutes(10));
    standbyReportsPeerLost();
    w.standby().peerHeartbeatAge = t.leaseDuration().toMillis();
    w.standby().reportedAt = w.now;
    Verdict v = verdict();
    assertThat(v.failed()).isTrue();
    assertThat(v.mainKind()).isEqualTo(Signal.Kind.LeaseExpired);
    assertThat(v.faultObservedAt(w.now))
        .as("when the standby last heard it")
        .isEqualTo(w.now.minus(t.leaseDuration()));
  }

  @Test
  void inSynchronousModeTheStandbysLossReportEndsAPrimaryThatStoppedRenewingItsFailsafeIsOver() {
    leaseRenewedAgo(Duration.ofMinutes(10));
    standbyReportsPeerLost(); // silent for peer-lost (four heartbeats): its sidecar stopped after
    // three without renewing
    Verdict v = verdict();
    assertThat(v.mainKind()).isEqualTo(Signal.Kind.LeaseExpired);
    assertThat(v.faultObservedAt(w.now))
        .as("when the standby last heard it")
        .isEqualTo(w.standby().reportedAt.minus(t.peerLostAfter()));
  }

  @Test
  void inSynchronousModeALeaseRenewedAfterTheStandbyLostThePrimaryKeepsItAlive() {
    standbyReportsPeerLost();
    w.standby().peerHeartbeatAge = t.leaseDuration().toMillis();
    w.standby().reportedAt = w.now;
    leaseRenewedAgo(Duration.ofMillis(100)); // it lost its standby too, and went back to renewing
    Verdict v = verdict();
    assertThat(v.status())
        .as("a partition between the pods, not a crash")
        .isEqualTo(Verdict.Status.Suspect);
    assertThat(v.signals()).extracting(Signal::kind).containsExactly(Signal.Kind.PeerLost);
  }

  @Test
  void
      aPooledPrimaryIsVouchedForByThePoolsPodHoldingItInSyncWhenTheStandbyItsStatusNamesHasLetItGo() {
    leaseRenewedAgo(Duration.ofMinutes(10)); // confirmed by its standby: it renews only sparsely
    World.Pod next = w.addSharedPod("shards-standby-2");
    next.node = w.standby().node;
    next.phase = w.standby().phase;
    next.ready = true;
    next.reported = true;
    next.manualReport = true;
    next.reportRole = Member.Role.Standby;
    next.reportEpoch = w.status.epoch();
    next.inSync = true;
    next.peerLost = false;
    next.peerHeartbeatAge = 0L;
    next.reportedAt = w.now;
    // The pool took the unit from the pod the status still names (the new pod holds it in sync),
    // before the
    // unit's reconciler moved its status on: that pod is no longer among the unit's members.
    w.pods.remove(w.status.standby());
    assertThat(verdict().mainKind())
        .as("vouched for by the status's standby alone, the primary looks long silent")
        .isEqualTo(Signal.Kind.LeaseExpired);
    w.pool = new PoolSeat("shards", true, next.name, Set.of(next.name), Map.of());
    assertThat(verdict().status())
        .as("the pod the seat names hears it now")
        .isEqualTo(Verdict.Status.Healthy);
    w.pool = new PoolSeat(
        "shards",
        true,
        "shards-standby-1",
        Set.of(next.name, "shards-standby-1"),
        Map.of(),
        next.name);
    assertThat(verdict().status())
        .as("so does the one catching up, once in sync")
        .isEqualTo(Verdict.Status.Healthy);
    next.peerLost = true;
    next.peerHeartbeatAge = t.peerLostAfter().toMillis();
    assertThat(verdict().mainKind())
        .as("and its report of a loss ends the primary as the status's standby's would")
        .isEqualTo(Signal.Kind.LeaseExpired);
  }

  @Test
  void aStandbyThatIsNotInSyncOrOnADeadNodeOrInAsynchronousModeDoesNotVouch() {
    leaseRenewedAgo(t.leaseDuration());
    w.standby().manualReport = true;
    w.standby().inSync = false;
    assertThat(verdict().mainKind()).as("not in sync").isEqualTo(Signal.Kind.LeaseExpired);
    w.standby().inSync = true;
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
    w.node(w.standby().node).ready = NodeView.Ready.Unknown;
    assertThat(verdict().mainKind())
        .as("its node unreachable: its report is stale")
        .isEqualTo(Signal.Kind.LeaseExpired);

    asynchronous();
    leaseRenewedAgo(t.leaseDuration());
    assertThat(verdict().mainKind()).as("asynchronous").isEqualTo(Signal.Kind.LeaseExpired);
  }

  @Test
  void peerLostAloneIsSuspect() {
    standbyReportsPeerLost();
    Verdict v = verdict();
    assertThat(v.status()).isEqualTo(Verdict.Status.Suspect);
    assertThat(v.signals()).extracting(Signal::kind).containsExactly(Signal.Kind.PeerLost);
    assertThat(v.signals().get(0).since())
        .isEqualTo(w.standby().reportedAt.minus(t.peerLostAfter()));
  }

  @Test
  void peerLostFromAStandbyAtAnOlderEpochIsIgnored() {
    standbyReportsPeerLost();
    w.standby().reportEpoch = 0;
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }

  @Test
  void peerLostWithTheLeaseOverdueIsFailed() {
    asynchronous(); // (in Synchronous mode the loss report itself ends the primary: see below)
    standbyReportsPeerLost();
    leaseRenewedAgo(t.leaseOverdue());
    Verdict v = verdict();
    assertThat(v.failed()).isTrue();
    assertThat(v.signals())
        .extracting(Signal::kind)
        .containsExactlyInAnyOrder(Signal.Kind.LeaseOverdue, Signal.Kind.PeerLost);
  }

  @Test
  void aStaleNodeLeaseWithTheLeaseOverdueIsFailed() {
    asynchronous();
    w.node(w.primary().node).leaseRenewedAt =
        w.now.minus(Thresholds.nodeLeaseStaleAfter(World.NODE_LEASE)).minusMillis(1);
    leaseRenewedAgo(t.leaseOverdue());
    assertThat(verdict().failed()).isTrue();
  }

  @Test
  void aNodeLeaseJustAtTheStaleThresholdIsNotYetStale() {
    w.node(w.primary().node).leaseRenewedAt =
        w.now.minus(Thresholds.nodeLeaseStaleAfter(World.NODE_LEASE));
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }

  @Test
  void theFaultIsDatedByTheEarliestDecidingSignal() {
    standbyReportsPeerLost();
    w.standby().reportedAt = w.now.minusSeconds(3);
    w.primary().app =
        new AppContainer(AppContainer.State.Terminated, 0, "Error", w.now.minusSeconds(1));
    Verdict v = verdict();
    assertThat(v.mainKind()).isEqualTo(Signal.Kind.AppCrashed);
    assertThat(v.faultObservedAt(w.now)).isEqualTo(w.now.minusSeconds(3).minus(t.peerLostAfter()));
  }

  @Test
  void aSignalDatedInTheFutureDoesNotDateTheFault() {
    w.primary().app =
        new AppContainer(AppContainer.State.Terminated, 0, "Error", w.now.plusSeconds(5));
    assertThat(verdict().faultObservedAt(w.now)).isEqualTo(w.now);
  }

  @Test
  void aPrimaryWithNoNodeYetIsJudgedWithoutNodeSignals() {
    w.primary().node = null;
    w.primary().phase = Member.PodPhase.Pending;
    assertThat(verdict().status()).isEqualTo(Verdict.Status.Healthy);
  }
}
