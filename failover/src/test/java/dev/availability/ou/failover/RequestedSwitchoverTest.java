package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.RequestAnswer.State;
import dev.availability.ou.failover.Requests.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 1: a switchover the user asks for (annotation switchover-to) is a planned, zero-loss switchover when
 * the standby is in sync and the primary healthy, counted as a switchover; otherwise it is refused, saying why, and
 * nothing moves. Each annotation value is acted on once.
 */
class RequestedSwitchoverTest {

  static void ask(World w, String switchoverTo) {
    w.policy =
        w.policy.withRequests(new Requests(switchoverTo, w.policy.requests().drill(), null, null));
  }

  private static RequestAnswer answer(World w) {
    return w.status.answer(Kind.Switchover);
  }

  private static World protectedUnit() {
    return World.threeNodes().bootstrap();
  }

  @Test
  void theInSyncStandbyNamedBecomesPrimaryWithoutLossCountedAsASwitchoverNotAFailover() {
    World w = protectedUnit();
    int mark = w.mark();
    ask(w, "db-1");

    Decision d = w.reconcile();

    assertThat(d.persistStateFirst())
        .as("the intent and the answer are durable before anything moves")
        .isTrue();
    assertThat(d.state().intent().planned()).isTrue();
    assertThat(d.state().intent().reason()).isEqualTo("Requested");
    assertThat(d.state().intent().target()).isEqualTo("db-1");
    assertThat(d.state().answer(Kind.Switchover).state()).isEqualTo(State.InProgress);
    assertThat(d.state().answer(Kind.Switchover).value()).isEqualTo("db-1");
    assertThat(d.actions()).singleElement().isInstanceOfSatisfying(Emit.class, e -> {
      assertThat(e.reason()).isEqualTo(EventReason.SwitchoverStarted);
      assertThat(e.warning()).isFalse();
    });

    Decision switched = w.switchTraffic();

    assertThat(switched.actions()).contains(new PointService("db-1"));
    assertThat(switched.state().answer(Kind.Switchover).state())
        .as("Done with the decision that points the Service at the target")
        .isEqualTo(State.Done);
    assertThat(switched.state().answer(Kind.Switchover).message())
        .contains("db-0 to db-1", "the Service selects db-1");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.switchovers()).isEqualTo(1);
    assertThat(w.status.failovers()).isZero();
    FailoverTimings last = w.status.lastFailover();
    assertThat(last.kind()).isEqualTo(PromotionKind.Switchover);
    assertThat(last.reason()).isEqualTo("Requested");
    assertThat(last.updatesLost()).isZero();
    assertThat(w.status.history()).containsExactly(last);
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.SwitchoverStarted,
            EventReason.StandbyPromoted,
            EventReason.TrafficSwitched,
            EventReason.SwitchoverCompleted);
    assertThat(w.eventsSince(mark))
        .doesNotContain(
            EventReason.FailoverStarted, EventReason.FailoverCompleted, EventReason.RequestRefused);
  }

  @Test
  void anyMeansTheInSyncStandby() {
    World w = protectedUnit();
    ask(w, "any");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(answer(w).state()).isEqualTo(State.Done);
    assertThat(w.status.switchovers()).isEqualTo(1);
  }

  @Test
  void theSameValueIsActedOnOnceAndANewTokenAsksAgain() {
    World w = protectedUnit();
    ask(w, "any");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    int mark = w.mark();

    w.run(Duration.ofSeconds(10));

    assertThat(w.status.epoch())
        .as("the answered value stays on the unit and moves nothing")
        .isEqualTo(2);
    assertThat(w.eventsSince(mark))
        .doesNotContain(
            EventReason.SwitchoverStarted, EventReason.RequestRefused, EventReason.RequestDone);

    ask(w, "any@2");
    w.runUntilProtectedAt(3, Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-2");
    assertThat(answer(w).value()).isEqualTo("any@2");
    assertThat(answer(w).state()).isEqualTo(State.Done);
    assertThat(w.status.switchovers()).isEqualTo(2);
    assertThat(w.status.history())
        .extracting(FailoverTimings::newPrimary)
        .containsExactly("db-2", "db-1");
  }

  @Test
  void aStandbyNotInSyncIsRefusedWithAWarningAndNothingMoves() {
    World w = protectedUnit();
    w.standby().manualReport = true;
    w.standby().inSync = false;
    w.standby().lag = 7L;
    w.tick();
    ask(w, "db-1");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    assertThat(d.actions()).noneMatch(a -> a instanceof PointService || a instanceof Action.Assign);
    RequestAnswer a = d.state().answer(Kind.Switchover);
    assertThat(a.state()).isEqualTo(State.Refused);
    assertThat(a.message())
        .contains(
            "standby db-1 is catching up (7 updates behind)",
            "could lose updates",
            "Protected",
            "new value");
    assertThat(d.actions())
        .filteredOn(x -> x instanceof Emit e && e.reason() == EventReason.RequestRefused)
        .singleElement()
        .satisfies(x -> assertThat(((Emit) x).warning()).isTrue())
        .satisfies(x -> assertThat(((Emit) x).message())
            .startsWith("switchover-to 'db-1' refused: standby db-1 is catching up"));

    // Once it catches up, the refused value stays refused: the user asks again.
    w.standby().manualReport = false;
    int mark = w.mark();
    w.run(Duration.ofSeconds(5));
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.eventsSince(mark))
        .doesNotContain(EventReason.RequestRefused, EventReason.SwitchoverStarted);
    ask(w, "db-1@again");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.primary()).isEqualTo("db-1");
  }

  @Test
  void anUnknownMemberIsRefused() {
    World w = protectedUnit();
    ask(w, "db-9");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    assertThat(d.state().answer(Kind.Switchover).state()).isEqualTo(State.Refused);
    assertThat(d.state().answer(Kind.Switchover).message())
        .isEqualTo(
            "unit db has no member db-9 (primary db-0, standby db-1); name its standby, or any");
  }

  @Test
  void aMemberThatIsNotTheStandbyIsRefused() {
    World w = protectedUnit();
    // A member the status names neither primary nor standby (a stray in sync, say): it is not what
    // the primary streams to.
    World.Pod stray = new World.Pod("db-7", 7);
    stray.node = "node-c";
    stray.role = Member.Role.Standby;
    stray.epoch = 1;
    stray.peer = "db-0";
    stray.phase = Member.PodPhase.Running;
    stray.ready = true;
    stray.reported = true;
    stray.manualReport = true;
    stray.reportRole = Member.Role.Standby;
    stray.reportEpoch = 1;
    stray.inSync = true;
    stray.lag = 0L;
    w.pods.put("db-7", stray);
    ask(w, "db-7");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    RequestAnswer a = d.state().answer(Kind.Switchover);
    assertThat(a.state()).isEqualTo(State.Refused);
    assertThat(a.message())
        .isEqualTo(
            "db-7 is not the unit's standby (standby: db-1); only the standby holds the primary's state: name it, or any");
  }

  @Test
  void namingTheCurrentPrimaryIsDoneAtOnceWithNothingToDo() {
    World w = protectedUnit();
    ask(w, "db-0");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    assertThat(d.state().answer(Kind.Switchover).state()).isEqualTo(State.Done);
    assertThat(d.state().answer(Kind.Switchover).message())
        .isEqualTo("db-0 is already the primary: nothing to do");
    assertThat(d.actions())
        .filteredOn(x -> x instanceof Emit e && e.reason() == EventReason.RequestDone)
        .hasSize(1);
    assertThat(d.actions()).noneMatch(x -> x instanceof Emit e && e.warning());
  }

  @Test
  void aMalformedValueIsRefusedWithWhatIsExpected() {
    World w = protectedUnit();
    ask(w, "db-1@");

    RequestAnswer a = w.reconcile().state().answer(Kind.Switchover);

    assertThat(a.state()).isEqualTo(State.Refused);
    assertThat(a.value()).isEqualTo("db-1@");
    assertThat(a.message()).contains("expected <member>|any");
    assertThat(w.status.intent()).isNull();
  }

  @Test
  void aPrimaryThatIsNotHealthyIsRefusedAndAFailedOneIsFailedOverAsAFailure() {
    World w = protectedUnit();
    w.setReadiness("db-0", false); // unready, within its grace: not failed yet
    w.tick();
    ask(w, "db-1");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    assertThat(d.state().answer(Kind.Switchover).state()).isEqualTo(State.Refused);
    assertThat(d.state().answer(Kind.Switchover).message())
        .startsWith("primary db-0 is not ready")
        .contains("healthy primary");

    World crashed = protectedUnit();
    crashed.appCrashLoop("db-0");
    ask(crashed, "db-1");
    Decision f = crashed.reconcile();
    assertThat(f.state().answer(Kind.Switchover).state()).isEqualTo(State.Refused);
    assertThat(f.state().answer(Kind.Switchover).message())
        .startsWith("primary db-0 is not healthy (application container of db-0");
    assertThat(f.state().intent().kind())
        .as("the failure is failed over as one")
        .isEqualTo(PromotionKind.Failover);
    crashed.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(crashed.status.failovers()).isEqualTo(1);
    assertThat(crashed.status.switchovers()).isZero();
  }

  @Test
  void aRequestDuringAFailoverUnderWayIsRefusedAndTheFailoverGoesOn() {
    World w = protectedUnit();
    w.appCrashLoop("db-0");
    w.reconcile(); // the failover's intent
    ask(w, "db-1");

    Decision d = w.reconcile();

    assertThat(d.state().intent().kind()).isEqualTo(PromotionKind.Failover);
    assertThat(d.state().answer(Kind.Switchover).state()).isEqualTo(State.Refused);
    assertThat(d.state().answer(Kind.Switchover).message())
        .isEqualTo(
            "a failover from db-0 to db-1 is under way; ask again with a new value once it is done and the unit is Protected");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.switchovers()).isZero();
    assertThat(w.status.epoch()).as("the refused value moves nothing after").isEqualTo(2);
  }

  @Test
  void anOperatorThatDiesRightAfterWritingTheIntentResumesThatSwitchoverAndStartsNoOther() {
    World w = protectedUnit();
    ask(w, "any");
    w.crashAtStep = w.steps.size();
    w.crashAfterActions = 0;
    w.reconcile(); // intent and answer written, nothing done, the operator dies

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    w.run(Duration.ofSeconds(5));

    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.status.switchovers()).isEqualTo(1);
    assertThat(w.status.history()).hasSize(1);
    assertThat(answer(w).state()).isEqualTo(State.Done);
  }

  @Test
  void aSwitchoverAbortedBeforeTrafficMovedIsRefusedSayingWhy() {
    World w = protectedUnit();
    ask(w, "db-1");
    w.reconcile(); // intent
    w.evict("db-1");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    assertThat(d.state().primary()).isEqualTo("db-0");
    RequestAnswer a = d.state().answer(Kind.Switchover);
    assertThat(a.state()).isEqualTo(State.Refused);
    assertThat(a.message())
        .startsWith("switchover to db-1 aborted before traffic moved: standby db-1")
        .endsWith("the primary is db-0: ask again with a new value");
    assertThat(w.status.switchovers()).isZero();
  }

  @Test
  void withFailbackTheRequestedMoveIsNotUndone() {
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
    assertThat(w.status.homeNode()).isEqualTo("node-a");
    ask(w, "db-1");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    w.run(Duration.ofSeconds(10));

    assertThat(w.status.primary()).as("the user chose where it runs").isEqualTo("db-1");
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.status.homeNode()).isEqualTo(w.pod("db-1").node);
  }

  @Test
  void
      inAsynchronousModeAStandbyTrailingBeyondMaxPromotableLagIsRefusedAndOneWithinItSwitchesRecordingWhatItLacked() {
    UnitPolicy p = World.policy(UnitPolicy.Mode.Asynchronous);
    World w = new World(
        new UnitPolicy(p.unit(), p.mode(), true, p.recoveryBudget(), 3L, false, p.templateHash()),
        "node-a",
        "node-b",
        "node-c");
    w.asyncLag = 2;
    w.bootstrap();
    w.asyncLag = 5;
    w.run(Duration.ofSeconds(1));
    ask(w, "db-1");

    RequestAnswer refused = w.reconcile().state().answer(Kind.Switchover);

    assertThat(refused.state()).isEqualTo(State.Refused);
    assertThat(refused.message()).contains("more than maxPromotableLag 3");

    w.asyncLag = 2;
    w.run(Duration.ofSeconds(1));
    ask(w, "db-1@2");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(2);
    assertThat(w.lostAtPromotion).containsExactly(2L);
    assertThat(w.status.switchovers()).isEqualTo(1);
  }
}
