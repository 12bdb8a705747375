package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover protocol step by step: intent, promote-switch-fence, clean up and re-protect; and restarts anywhere. */
class FailoverStepsTest {

  private static World crashedPrimary() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    return w;
  }

  @Test
  void theIntentIsWrittenBeforeAnyAction() {
    World w = crashedPrimary();

    Decision d = w.reconcile();

    assertThat(d.persistStateFirst()).isTrue();
    assertThat(d.phase()).isEqualTo(Phase.FailingOver);
    assertThat(d.actions())
        .hasSize(1)
        .allMatch(
            a -> a instanceof Emit e && e.reason() == EventReason.FailoverStarted && e.warning());
    // The former primary is not kept (its application loops on its crash): its successor is named
    // now, created with the promotion.
    assertThat(d.state().intent().successor()).isEqualTo("db-2");
    assertThat(d.recheckAfter()).isEqualTo(Duration.ZERO);
    Intent i = d.state().intent();
    assertThat(i.target()).isEqualTo("db-1");
    assertThat(i.former()).isEqualTo("db-0");
    assertThat(i.formerNode()).isEqualTo(w.pod("db-0").node);
    assertThat(i.epoch()).isEqualTo(2);
    assertThat(i.planned()).isFalse();
    assertThat(i.serviceSwitchedAt()).isNull();
    assertThat(i.decidedAt()).isEqualTo(w.now);
    assertThat(d.state().primary()).isEqualTo("db-0");
    assertThat(d.state().epoch()).isEqualTo(1);
    assertThat(d.state().failovers()).isZero();
    assertThat(w.condition(ConditionType.FailoverInProgress).status()).isTrue();
    assertThat(w.condition(ConditionType.FailoverInProgress).reason())
        .isEqualTo(Signal.Kind.AppCrashed.name());
  }

  @Test
  void
      stepOneMovesTheLeaseFencesAndPromotesThenSwitchesTheServiceOnceTheTargetTookItAndCountsTheFailoverOnce() {
    World w = crashedPrimary();
    w.reconcile(); // intent

    Decision promote = w.reconcile();

    assertThat(promote.persistStateFirst()).isFalse();
    assertThat(promote.actions())
        .containsExactly(
            new HoldLease("db-1", 2, w.thresholds().leaseDuration()),
            new Assign("db-0", Role.Fenced, 2, null),
            new Assign("db-1", Role.Primary, 2, "db-2"),
            promote.actions().get(3),
            promote.actions().get(4));
    // The successor named at the decision starts while the target takes over: a standby of the
    // target at the new epoch, off the target's node.
    assertThat(promote.actions().get(3)).isInstanceOfSatisfying(CreateMember.class, c -> {
      assertThat(c.pod()).isEqualTo("db-2");
      assertThat(c.role()).isEqualTo(Role.Standby);
      assertThat(c.epoch()).isEqualTo(2);
      assertThat(c.peer()).isEqualTo("db-1");
      assertThat(c.avoidNodes()).contains(w.pod("db-1").node);
    });
    assertThat(promote.actions().get(4))
        .isInstanceOfSatisfying(
            Emit.class, e -> assertThat(e.reason()).isEqualTo(EventReason.StandbyScheduled));
    assertThat(promote.state())
        .isEqualTo(w.steps.get(w.steps.size() - 2).decision().state()); // nothing counted yet
    assertThat(promote.recheckAfter()).isEqualTo(w.thresholds().renewInterval().dividedBy(2));
    assertThat(w.reconcile().actions()).as("waiting re-sends nothing").isEmpty();

    w.tick(); // db-1's sidecar takes the promotion and says so
    assertThat(w.pod("db-1").reportRole).isEqualTo(Role.Primary);
    Decision d = w.reconcile();

    assertThat(d.persistStateFirst()).isFalse();
    assertThat(d.actions().get(0)).isEqualTo(new PointService("db-1"));
    assertThat(d.actions().subList(1, d.actions().size()))
        .extracting(a -> ((Emit) a).reason())
        .containsExactly(
            EventReason.PrimaryFenced, EventReason.StandbyPromoted, EventReason.TrafficSwitched);
    assertThat(d.state().primary()).isEqualTo("db-1");
    assertThat(d.state().standby()).isNull();
    assertThat(d.state().epoch()).isEqualTo(2);
    assertThat(d.state().failovers()).isEqualTo(1);
    assertThat(d.state().intent().serviceSwitchedAt()).isEqualTo(w.now);
    assertThat(d.state().lastFailover().serviceSwitchedAt()).isEqualTo(w.now);
    assertThat(d.recheckAfter()).isEqualTo(Duration.ZERO);

    Decision step2 = w.reconcile();

    assertThat(step2.actions()).contains(new DeleteMember("db-0", false));
    assertThat(step2.actions())
        .as("the successor made at the decision is the standby: nothing made again")
        .noneMatch(a -> a instanceof CreateMember);
    assertThat(step2.state().standby()).isEqualTo("db-2");
    assertThat(step2.state().intent()).isNull();
    assertThat(step2.state().failovers()).isEqualTo(1);
    assertThat(step2.phase()).isEqualTo(Phase.Synchronizing);

    w.runUntilProtectedAt(2, Duration.ofSeconds(5));
    assertThat(w.status.failovers()).isEqualTo(1);
  }

  @Test
  void aTargetWithoutReportsIsPromotedAndSwitchedInOneStep() {
    World w = World.threeNodes().bootstrap();
    w.tick(); // (readiness follows the sidecar's word a tick later)
    w.settle();
    w.standby().reported = false;
    w.appCrashLoop("db-0");
    w.reconcile(); // intent

    Decision d = w.reconcile();

    assertThat(d.actions())
        .startsWith(
            new HoldLease("db-1", 2, w.thresholds().leaseDuration()),
            new Assign("db-0", Role.Fenced, 2, null),
            new Assign("db-1", Role.Primary, 2, "db-2"))
        .anyMatch(a -> a instanceof CreateMember c && c.pod().equals("db-2"))
        .contains(new PointService("db-1"));
    assertThat(d.state().failovers()).isEqualTo(1);
  }

  @Test
  void aTargetThatNeverTakesThePromotionIsAbandonedAndEveryoneMovesPastItsEpoch() {
    World w = World.threeNodes().bootstrap();
    String standbyNode = w.standby().node;
    w.killNode(standbyNode); // the standby dies silently: its node still looks Ready
    w.appCrashLoop("db-0");
    int mark = w.mark();

    w.run(w.thresholds().leaseDuration().plus(World.TICK.multipliedBy(3)));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.FailoverStarted, EventReason.FailoverAborted)
        .doesNotContain(EventReason.StandbyPromoted, EventReason.TrafficSwitched);
    assertThat(w.actionsSince(mark)).noneMatch(a -> a instanceof PointService);
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.epoch())
        .as("epoch 2 is spent: db-1 may hold a Primary assignment at it")
        .isEqualTo(3);
    assertThat(w.pod("db-1").role).isEqualTo(Role.Standby);
    assertThat(w.pod("db-1").epoch).isEqualTo(3);
    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).reason())
        .as("the silent standby is no candidate again")
        .isEqualTo("NoHealthyStandby");
    assertThat(w.eventsSince(mark).stream()
            .filter(e -> e == EventReason.FailoverStarted)
            .count())
        .isEqualTo(1);

    w.appRecovers("db-0");
    w.runUntil(
        x -> x.lastPhase() == Phase.Synchronizing || x.lastPhase() == Phase.Unprotected,
        "the primary back",
        Duration.ofSeconds(5));
    assertThat(w.pod("db-0").role).isEqualTo(Role.Primary);
    assertThat(w.pod("db-0").epoch).isEqualTo(3);
    assertThat(w.selector).isEqualTo("db-0");
  }

  @Test
  void reDecidingFromTheSameObservationGivesTheSameDecisionAtEveryStep() {
    // (World.reconcile asserts it on every decision; this scenario walks every step once.)
    World w = crashedPrimary();
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.steps).hasSizeGreaterThan(10);
  }

  @Test
  void anOperatorRestartAtAnyPointOfAFailoverResumesItToTheSameOutcome() {
    World reference = crashedPrimary();
    int start = reference.mark();
    reference.runUntilProtectedAt(2, Duration.ofSeconds(10));
    int failoverSteps = 0;
    while (reference.steps.get(start + failoverSteps).decision().phase() == Phase.FailingOver)
      failoverSteps++;
    failoverSteps++; // and the step that clears the intent

    for (int step = 0; step < failoverSteps + 1; step++) {
      int actions = reference.steps.get(start + step).decision().actions().size();
      for (int k = 0; k <= actions; k++) {
        World w = World.threeNodes().bootstrap();
        w.crashAtStep = w.mark() + step;
        w.crashAfterActions = k;
        w.appCrashLoop("db-0");
        w.runUntilProtectedAt(2, Duration.ofSeconds(10));
        w.run(Duration.ofSeconds(1));

        String at = "operator died in step " + step + " after " + k + " actions";
        assertThat(w.status.primary()).as(at).isEqualTo("db-1");
        assertThat(w.status.standby()).as(at).isEqualTo("db-2");
        assertThat(w.status.epoch()).as(at).isEqualTo(2);
        assertThat(w.status.failovers()).as(at).isEqualTo(1);
        assertThat(w.status.lastFailover().newPrimary()).as(at).isEqualTo("db-1");
        assertThat(w.pods).as(at).containsOnlyKeys("db-1", "db-2");
        assertThat(w.lostAtPromotion).as(at).containsExactly(0L);
        assertThat(w.actions())
            .as(at)
            .filteredOn(
                a -> a instanceof CreateMember c && c.role() == Role.Standby && c.epoch() == 2)
            .extracting(a -> ((CreateMember) a).pod())
            .containsOnly("db-2");
        assertThat(w.actions())
            .as(at)
            .filteredOn(a -> a instanceof Assign as && as.role() == Role.Primary && as.epoch() == 2)
            .extracting(a -> ((Assign) a).pod())
            .containsOnly("db-1");
        assertThat(w.pod("db-1").peer).as(at).isEqualTo("db-2");
      }
    }
  }

  @Test
  void anOperatorAwayLongerThanTheConfirmationDeadlineStillCompletesThePromotion() {
    World w = crashedPrimary();
    w.reconcile(); // the intent, then the operator is gone for a while
    for (int i = 0; i < 30; i++) w.tick();
    assertThat(w.now).isAfter(w.status.intent().decidedAt().plus(w.thresholds().leaseDuration()));

    w.runUntilProtectedAt(2, Duration.ofSeconds(5));

    assertThat(w.events()).doesNotContain(EventReason.FailoverAborted);
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.failovers()).isEqualTo(1);
  }

  @Test
  void
      anOperatorRestartBetweenWritingTheBootstrapStateAndCreatingTheMembersCreatesThemUnderTheSameNames() {
    World w = World.threeNodes();
    w.crashAtStep = 0;
    w.crashAfterActions = 0;

    w.reconcile();
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.pods).isEmpty();
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.events()).doesNotContain(EventReason.FailoverBlocked, EventReason.FailoverStarted);
  }

  @Test
  void anOperatorRestartAfterCreatingTheMembersButBeforeWritingTheStatusAdoptsThem() {
    World w = World.threeNodes();
    Decision d = w.decider.decide(w.observe());
    w.crashAtStep = 0;
    w.crashAfterActions = d.actions().size();
    w.status = UnitState.initial();
    // (bootstrap persists first, so simulate a status write that failed)
    w.reconcile(d.actions().size(), false);
    w.status = UnitState.initial();

    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
  }

  @Test
  void theTargetDyingBeforeTheSwitchAbortsTheFailoverAndPromotesNobody() {
    World w = crashedPrimary();
    w.reconcile(); // intent
    w.reconcile(); // promotion sent, waiting for db-1 to take it
    assertThat(w.status.intent()).isNotNull();
    w.evict("db-1");

    Decision d = w.reconcile();

    assertThat(d.phase()).isEqualTo(Phase.Degraded);
    assertThat(d.persistStateFirst()).isTrue();
    assertThat(d.state().intent()).isNull();
    assertThat(d.state().primary()).isEqualTo("db-0");
    assertThat(d.state().epoch()).as("epoch 2 was sent, so it is spent").isEqualTo(3);
    assertThat(d.state().failovers()).isZero();
    assertThat(d.actions())
        .containsExactly(
            new Assign("db-1", Role.Standby, 3, "db-0"),
            new DeleteMember("db-2", false), // the successor made at the decision
            d.actions().get(2));
    assertThat(d.actions().get(2))
        .isInstanceOfSatisfying(
            Emit.class, e -> assertThat(e.reason()).isEqualTo(EventReason.FailoverAborted));
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("FailoverTargetLost");

    w.run(Duration.ofSeconds(3));
    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoHealthyStandby");
    assertThat(w.actions())
        .noneMatch(a -> a instanceof PointService ps && ps.pod().equals("db-1"));
    assertThat(w.events()).doesNotContain(EventReason.StandbyPromoted, EventReason.TrafficSwitched);
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.status.epoch()).isEqualTo(3);
  }

  @Test
  void aTargetLostBeforeAnythingWasSentAbortsWithoutSpendingTheEpoch() {
    World w = crashedPrimary();
    w.reconcile(); // intent only
    w.removePod("db-1");

    Decision d = w.reconcile();

    assertThat(d.phase()).isEqualTo(Phase.Degraded);
    assertThat(d.state().epoch()).isEqualTo(1);
    assertThat(d.actions())
        .as("nothing was sent: the successor is only named")
        .singleElement()
        .isInstanceOfSatisfying(
            Emit.class, e -> assertThat(e.reason()).isEqualTo(EventReason.FailoverAborted));
  }

  @Test
  void theTargetLosingSyncBeforeTheSwitchAbortsInSynchronousMode() {
    World w = crashedPrimary();
    w.reconcile();
    w.standby().manualReport = true;
    w.standby().inSync = false;
    w.standby().lag = 3L;

    Decision d = w.reconcile();

    assertThat(d.phase()).isEqualTo(Phase.Degraded);
    assertThat(d.actions()).noneMatch(a -> a instanceof PointService);
    assertThat(w.status.primary()).isEqualTo("db-0");
  }

  @Test
  void bothPrimaryAndStandbyFailedDegradesWithNoHealthyStandbyAndPromotesNobody() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();
    w.appCrashLoop("db-0");
    w.appCrashLoop("db-1");

    w.run(Duration.ofSeconds(5));

    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).status()).isTrue();
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoHealthyStandby");
    assertThat(w.condition(ConditionType.Ready).status()).isFalse();
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FailoverBlocked)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.actionsSince(mark)).allMatch(a -> a instanceof Emit);
    assertThat(w.last().recheckAfter()).isEqualTo(w.thresholds().leaseDuration());
  }

  @Test
  void whenThePrimaryOfADoubleFailureRecoversTheStandbyIsReplacedWithoutAFailover() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.appCrashLoop("db-1");
    w.run(Duration.ofSeconds(2));

    w.appRecovers("db-0");
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.events()).contains(EventReason.StandbyReplaced);
  }

  @Test
  void aRestartThatMovedNobodyIsReportedOnceAndDoesNotFailOverLater() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-1"); // the standby is down
    w.appRestarted("db-0"); // and the primary restarts once, then runs
    w.settle();
    assertThat(w.events()).contains(EventReason.FailoverBlocked);

    w.runUntilProtectedAt(1, Duration.ofSeconds(5));
    w.run(Duration.ofSeconds(3));

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.primaryRestartBaseline()).isEqualTo(1);
    assertThat(w.events()).doesNotContain(EventReason.FailoverStarted);
  }

  @Test
  void aCrashThatMovedNobodyIsNotCountedAgainWhenTheKubeletStartsTheAppAgain() {
    World w = World.threeNodes().bootstrap();
    w.standby().manualReport = true; // the standby trails: no failover in Synchronous mode
    w.standby().inSync = false;
    w.standby().lag = 3L;
    w.appTerminated("db-0");
    w.settle();
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoInSyncStandby");

    // The kubelet starts db-0's app again (the restart counted only now) as the standby catches up
    // from db-0's sidecar.
    w.appRecovers("db-0");
    w.standby().manualReport = false;
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.events()).doesNotContain(EventReason.FailoverStarted);
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.primaryRestartBaseline()).isEqualTo(1);
  }

  @Test
  void aStandbyFailingAloneIsReplacedWithoutPromotion() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();
    w.appCrashLoop("db-1");

    w.runUntil(
        x -> x.lastPhase() == Phase.Protected && "db-2".equals(x.status.standby()),
        "a new standby",
        Duration.ofSeconds(5));

    assertThat(w.eventsSince(mark))
        .contains(EventReason.StandbyReplaced)
        .doesNotContain(EventReason.FailoverStarted);
    assertThat(w.actionsSince(mark)).contains(new DeleteMember("db-1", false));
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.lastFailover()).isNull();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.pod("db-0").peer).isEqualTo("db-2");
    assertThat(w.pod("db-2").node).isNotEqualTo(w.pod("db-0").node);
  }

  @Test
  void aStandbyWhoseNodeFailsIsForceDeletedAndReplacedOffThatNode() {
    World w = World.threeNodes().bootstrap();
    String failed = w.standby().node;
    int mark = w.mark();
    w.nodeUnknown(failed);

    w.runUntil(
        x -> x.lastPhase() == Phase.Protected && "db-2".equals(x.status.standby()),
        "a new standby",
        Duration.ofSeconds(5));

    assertThat(w.actionsSince(mark)).contains(new DeleteMember("db-1", true));
    assertThat(w.actionsSince(mark))
        .filteredOn(a -> a instanceof CreateMember)
        .singleElement()
        .isInstanceOfSatisfying(
            CreateMember.class,
            c -> assertThat(c.avoidNodes()).contains(failed, w.pod("db-0").node));
    assertThat(w.pod("db-2").node).isNotIn(failed, w.pod("db-0").node);
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void aStandbyRemovedBehindTheOperatorsBackIsCreatedAgainUnderItsName() {
    World w = World.threeNodes().bootstrap();
    w.removePod("db-1");

    Decision d = w.settle();
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.actions())
        .filteredOn(a -> a instanceof CreateMember c && c.pod().equals("db-1"))
        .hasSize(2);
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.status.nextOrdinal()).isEqualTo(2);
    assertThat(d).isNotNull();
  }

  @Test
  void everyMemberGoneIsCreatedAgainUnderTheNamesInTheStatus() {
    World w = World.threeNodes().bootstrap();
    w.removePod("db-0");
    w.removePod("db-1");

    Decision d = w.reconcile();

    assertThat(d.actions())
        .filteredOn(a -> a instanceof CreateMember)
        .extracting(a -> ((CreateMember) a).pod())
        .containsExactly("db-0", "db-1");
    assertThat(d.actions())
        .filteredOn(a -> a instanceof Emit)
        .singleElement()
        .isInstanceOfSatisfying(Emit.class, e -> assertThat(e.warning()).isTrue());
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void whenNoMemberCanComeBackByItselfTheDeadOnesAreClearedAndTheMembersCreatedAgain() {
    World w = World.threeNodes().bootstrap();
    w.removePod("db-0");
    w.evict("db-1");

    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.events())
        .containsSubsequence(EventReason.FailoverBlocked, EventReason.MembersCreated);
    assertThat(w.actions()).contains(new DeleteMember("db-1", false));
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void aDeadPrimaryWithAStandbyThatMayRecoverIsNotCleared() {
    World w = World.threeNodes().bootstrap();
    w.removePod("db-0");
    w.appCrashLoop("db-1");

    w.run(Duration.ofSeconds(3));

    assertThat(w.actions())
        .noneMatch(a -> a instanceof DeleteMember d && d.pod().equals("db-1"));
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("NoHealthyStandby");

    w.appRecovers("db-1");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.primary()).isEqualTo("db-1");
  }

  @Test
  void thePrimaryAFailoverPromotedIsNeverTakenForFencedLater() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(5));
    w.run(w.thresholds().leaseDuration().multipliedBy(2));
    w.evict("db-2"); // no standby left
    w.nodeNotReady(
        w.primary().node); // the primary's node NotReady, its sidecar still renewing the lease
    w.deletePod("db-1");

    w.run(w.thresholds().leaseDuration());

    // (the world fails the test if db-1 is force-deleted while it may still acknowledge writes)
    assertThat(w.actions()).doesNotContain(new DeleteMember("db-1", true));
  }

  @Test
  void theNewStandbyAvoidsTheNewPrimarysNodeAndTheFailedNode() {
    World w = World.threeNodes().bootstrap();
    String failed = w.primary().node;
    String promoted = w.standby().node;
    w.nodeUnknown(failed);

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    CreateMember c = w.actions().stream()
        .filter(a -> a instanceof CreateMember cm && cm.pod().equals("db-2"))
        .map(a -> (CreateMember) a)
        .findFirst()
        .orElseThrow();
    assertThat(c.avoidNodes()).containsExactlyInAnyOrder(failed, promoted);
    assertThat(w.pod("db-2").node).isEqualTo("node-c");
  }

  @Test
  void onATwoNodeClusterProtectionReturnsWhenTheFailedNodeComesBack() {
    twoNodeClusterRecovers(true);
  }

  @Test
  void
      onATwoNodeClusterProtectionReturnsWhenTheFailedNodeComesBackWithAvoidanceRenderedAsAPreference() {
    twoNodeClusterRecovers(false);
  }

  private static void twoNodeClusterRecovers(boolean avoidRequired) {
    World w = new World(World.policy(UnitPolicy.Mode.Synchronous), "node-a", "node-b");
    w.avoidRequired = avoidRequired;
    w.bootstrap();
    w.nodeUnknown("node-a");
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "the failover",
        Duration.ofSeconds(10));
    w.run(Duration.ofSeconds(5));
    assertThat(w.last().phase()).isEqualTo(Phase.Unprotected);
    assertThat(w.condition(ConditionType.Protected).reason()).isEqualTo("StandbyUnschedulable");

    w.healNode("node-a");
    w.runUntilProtectedAt(2, Duration.ofSeconds(90));

    assertThat(w.standby().node).isEqualTo("node-a");
    assertThat(w.pods).containsOnlyKeys("db-1", w.status.standby());
    // Avoiding the failed node too would exclude every node: the standby avoids only the primary's
    // and waits, kept off node-a by its taint, instead of being unschedulable until replaced.
    assertThat(w.actions())
        .filteredOn(
            a -> a instanceof CreateMember cm && cm.role() == Role.Standby && cm.epoch() == 2)
        .allSatisfy(a -> assertThat(((CreateMember) a).avoidNodes()).containsExactly("node-b"));
  }

  /** Seen after the API server restarted: every node looked NotReady a moment, and the new standby avoided them all for good. */
  @Test
  void
      aStandbyCreatedWhileEveryOtherNodeLooksDownAvoidsOnlyThePrimarysNodeAndStartsWhenOneRecovers() {
    World w = World.threeNodes().bootstrap();
    String primaryNode = w.primary().node;
    for (String n : List.of("node-a", "node-b", "node-c"))
      if (!n.equals(primaryNode)) w.nodeNotReady(n);
    w.run(Duration.ofSeconds(3));

    CreateMember c = w.actions().stream()
        .filter(a -> a instanceof CreateMember cm
            && cm.role() == Role.Standby
            && !cm.pod().equals("db-1"))
        .map(a -> (CreateMember) a)
        .reduce((first, second) -> second)
        .orElseThrow();
    assertThat(c.avoidNodes()).containsExactly(primaryNode);

    for (String n : List.of("node-a", "node-b", "node-c"))
      if (!n.equals(primaryNode)) w.healNode(n);
    w.runUntilProtectedAt(1, Duration.ofSeconds(60));
    assertThat(w.standby().node).isNotEqualTo(primaryNode);
  }

  @Test
  void onATwoNodeClusterProtectionReturnsAfterAPartitionShorterThanTheNodeGrace() {
    World w = new World(World.policy(UnitPolicy.Mode.Synchronous), "node-a", "node-b").bootstrap();
    w.isolateNode("node-a"); // cut off, but not long enough for the node controller to notice
    w.runUntil(
        x -> x.status.epoch() == 2 && x.status.intent() == null,
        "the failover",
        Duration.ofSeconds(10));

    w.healNode("node-a");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.node("node-a").ready).isEqualTo(NodeView.Ready.True);
    assertThat(w.node("node-a").readySince).as("never NotReady").isEqualTo(World.T0);
    assertThat(w.standby().node).isEqualTo("node-a");
  }

  @Test
  void
      aFormerPrimaryOnAnUnreachableNodeIsKeptWhileTheNewStandbyCatchesUpAndForceDeletedOnlyOnceFenced() {
    World w = World.threeNodes().bootstrap();
    w.nodeUnknown(w.primary().node);
    w.switchTraffic();
    java.time.Instant switched = w.status.intent().serviceSwitchedAt();

    Decision d = w.reconcile();

    // The failover is done (traffic moved, a new standby scheduled); the former primary is kept,
    // not deleted, in case its node returns before the new standby is in sync (MemberRejoin).
    assertThat(d.phase()).isEqualTo(Phase.Synchronizing);
    assertThat(w.status.intent()).isNull();
    assertThat(d.actions())
        .noneMatch(a -> a instanceof DeleteMember del && del.pod().equals("db-0"));
    assertThat(w.actions())
        .anyMatch(a -> a instanceof Action.CreateMember c && c.pod().equals("db-2"));
    assertThat(d.state().standby()).isEqualTo("db-2");

    // Once the new standby is in sync the former primary goes: gracefully at first, by force only
    // once it is fenced.
    w.runUntil(x -> x.lastPhase() == Phase.Protected, "protected", Duration.ofSeconds(5));
    assertThat(w.now).isBefore(switched.plus(w.thresholds().leaseDuration()));
    assertThat(w.actions())
        .contains(new DeleteMember("db-0", false))
        .doesNotContain(new DeleteMember("db-0", true));
    assertThat(w.last().recheckAfter())
        .as("looked at again by when it will be fenced")
        .isNotNull()
        .isLessThanOrEqualTo(
            Duration.between(w.now, switched.plus(w.thresholds().leaseDuration())));
    while (w.now.plus(World.TICK).isBefore(switched.plus(w.thresholds().leaseDuration()))) {
      w.tick();
      w.settle();
      assertThat(w.actions()).doesNotContain(new DeleteMember("db-0", true));
    }
    w.tick();
    w.settle();

    assertThat(w.actions()).contains(new DeleteMember("db-0", true));
    assertThat(w.events())
        .contains(EventReason.FailoverCompleted, EventReason.FormerPrimaryDeleted);
    assertThat(w.pods).containsOnlyKeys("db-1", "db-2");
  }

  @Test
  void aFormerPrimaryThatReportsItselfFencedIsForceDeletedWithoutWaitingForTheLease() {
    World w = World.threeNodes().bootstrap();
    w.nodeNotReady(w.primary().node); // NotReady, but its sidecar still reaches the API server
    w.switchTraffic(); // (the former saw its Fenced assignment while db-1 took the promotion)
    java.time.Instant switched = w.status.intent().serviceSwitchedAt();
    assertThat(w.pod("db-0").reportRole).isEqualTo(Role.Fenced);

    // Kept while the new standby catches up (its node is not ready: it is no standby to come back
    // to), then deleted.
    w.runUntil(
        x -> x.actions().contains(new DeleteMember("db-0", true)),
        "the former primary force-deleted",
        Duration.ofSeconds(5));

    assertThat(w.now).isBefore(switched.plus(w.thresholds().leaseDuration()));
    assertThat(w.status.intent()).isNull();
    assertThat(w.events()).doesNotContain(EventReason.MemberRejoined);
  }
}
