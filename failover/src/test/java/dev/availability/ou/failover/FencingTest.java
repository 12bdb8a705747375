package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Fencing a member by request: it serves nothing (assigned Fenced, out of the Service), is never promoted nor chosen
 * as a target, and is kept (never deleted, never replaced); fencing the primary fails over to an in-sync standby or
 * leaves the unit without a serving primary; unfencing lets it rejoin, or serve again at a new epoch.
 */
class FencingTest {

  private static World protectedUnit() {
    World w = World.threeNodes().bootstrap();
    // Never two members acknowledging writes, at any step.
    w.checks.add(step -> assertThat(
            w.pods.values().stream().filter(w::canAcknowledge).map(p -> p.name).toList())
        .as("members acknowledging writes")
        .hasSizeLessThanOrEqualTo(1));
    return w;
  }

  private static void fence(World w, String members) {
    w.policy = w.policy.withRequests(new Requests(null, null, null, members));
  }

  private static long actionsOf(World w, int mark, Class<? extends Action> kind) {
    return w.actionsSince(mark).stream().filter(kind::isInstance).count();
  }

  @Test
  void fencedStandbyServesNothingIsKeptAndRejoinsWhenUnfenced() {
    World w = protectedUnit();
    int mark = w.mark();

    fence(w, "db-1");
    w.run(Duration.ofSeconds(10));

    assertThat(w.pod("db-1").role).isEqualTo(Role.Fenced);
    assertThat(w.pod("db-1").reportRole).as("its sidecar says it is fenced").isEqualTo(Role.Fenced);
    assertThat(w.pod("db-0").peer).as("the primary streams to nobody").isNull();
    assertThat(w.pods).as("kept, not replaced").containsOnlyKeys("db-0", "db-1");
    assertThat(actionsOf(w, mark, CreateMember.class) + actionsOf(w, mark, DeleteMember.class))
        .isZero();
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.lastPhase()).isEqualTo(Phase.Unprotected);
    assertThat(w.condition(ConditionType.Protected).reason()).isEqualTo("StandbyFenced");
    assertThat(w.condition(ConditionType.Protected).message())
        .contains("db-1", "fenced", "Remove db-1 from ou.availability.dev/fenced-members");
    assertThat(w.condition(ConditionType.Ready).status()).isTrue();
    assertThat(w.eventsSince(mark)).containsOnlyOnce(EventReason.MemberFenced);
    assertThat(w.selector).isEqualTo("db-0");

    mark = w.mark();
    fence(w, null);
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));

    assertThat(w.pod("db-1").role).isEqualTo(Role.Standby);
    assertThat(w.pod("db-0").peer).isEqualTo("db-1");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.eventsSince(mark)).contains(EventReason.MemberUnfenced);
    assertThat(w.status.failovers()).isZero();
  }

  @Test
  void fencedPrimaryFailsOverToTheInSyncStandbyAndIsKept() {
    World w = protectedUnit();
    int mark = w.mark();

    fence(w, "db-0");
    w.runUntil(
        x -> x.status.primary().equals("db-1") && x.status.intent() == null,
        "failed over",
        Duration.ofSeconds(5));
    w.run(Duration.ofSeconds(5));

    assertThat(w.selector).isEqualTo("db-1");
    assertThat(w.endpoints).containsExactly("db-1");
    assertThat(w.pod("db-0").role).isEqualTo(Role.Fenced);
    assertThat(w.pod("db-0").deleting()).as("a fenced member is never deleted").isFalse();
    assertThat(w.pods)
        .as("kept in the standby's place, not replaced")
        .containsOnlyKeys("db-0", "db-1");
    assertThat(actionsOf(w, mark, CreateMember.class) + actionsOf(w, mark, DeleteMember.class))
        .isZero();
    assertThat(w.status.standby()).isEqualTo("db-0");
    assertThat(w.pod("db-1").peer).isNull();
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.status.failovers()).isEqualTo(1);
    FailoverTimings t = w.status.lastFailover();
    assertThat(t.reason()).isEqualTo("Fenced");
    assertThat(t.kind()).isEqualTo(PromotionKind.Failover);
    assertThat(t.former()).isEqualTo("db-0");
    assertThat(t.updatesLost()).isZero();
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.FailoverStarted,
            EventReason.TrafficSwitched,
            EventReason.FailoverCompleted);
    assertThat(w.eventsSince(mark))
        .doesNotContain(EventReason.FormerPrimaryDeleted, EventReason.StandbyScheduled);
    assertThat(w.lastPhase()).isEqualTo(Phase.Unprotected);
    assertThat(w.condition(ConditionType.Protected).reason()).isEqualTo("StandbyFenced");

    fence(w, "");
    w.runUntilProtectedAt(2, Duration.ofSeconds(5));
    assertThat(w.pod("db-0").role)
        .as("the former primary rejoins as standby")
        .isEqualTo(Role.Standby);
    assertThat(w.pod("db-0").peer).isEqualTo("db-1");
    assertThat(w.pod("db-1").peer).isEqualTo("db-0");
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
  }

  @Test
  void fencedPrimaryWithNoStandbyInSyncLeavesTheUnitWithoutAServingPrimaryUntilUnfenced() {
    World w = protectedUnit();
    World.Pod sb = w.standby();
    sb.manualReport = true; // trails: not in sync
    sb.inSync = false;
    sb.lag = 7L;
    w.run(Duration.ofMillis(500));
    int mark = w.mark();

    fence(w, "db-0");
    // The operator writes the new epoch, then stops before fencing the member (or its cache has not
    // seen it yet): the next decision fences it at that epoch, not one more.
    w.reconcile(0, false);
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.pod("db-0").role).isEqualTo(Role.Primary);
    w.run(Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.intent()).isNull();
    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.epoch()).as("fenced at a new epoch").isEqualTo(2);
    assertThat(w.pod("db-0").role).isEqualTo(Role.Fenced);
    assertThat(w.pod("db-0").epoch).isEqualTo(2);
    assertThat(w.selector).as("the Service selects no pod").isEqualTo(ServiceView.NOBODY);
    assertThat(w.endpoints).isEmpty();
    assertThat(w.pods.values().stream().filter(w::canAcknowledge).toList())
        .as("nobody acknowledges")
        .isEmpty();
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(actionsOf(w, mark, CreateMember.class) + actionsOf(w, mark, DeleteMember.class))
        .isZero();
    assertThat(w.lastPhase()).isEqualTo(Phase.Degraded);
    ConditionView degraded = w.condition(ConditionType.Degraded);
    assertThat(degraded.status()).isTrue();
    assertThat(degraded.reason()).isEqualTo("PrimaryFenced");
    assertThat(degraded.message())
        .contains(
            "no serving primary",
            "selects no pod",
            "Remove db-0 from ou.availability.dev/fenced-members");
    assertThat(w.eventsSince(mark)).containsOnlyOnce(EventReason.MemberFenced);

    mark = w.mark();
    sb.manualReport = false;
    fence(w, null);
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.primary()).as("the fenced primary serves again").isEqualTo("db-0");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.pod("db-0").role).isEqualTo(Role.Primary);
    assertThat(w.lease.holder()).isEqualTo("db-0");
    assertThat(w.lease.epoch()).as("at an epoch it never served at").isEqualTo(2);
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.eventsSince(mark))
        .contains(EventReason.MemberUnfenced, EventReason.TrafficSwitched);
    assertThat(w.eventsSince(mark)).doesNotContain(EventReason.FailoverStarted);
  }

  @Test
  void aFencedStandbyIsNeverPromoted() {
    World w = protectedUnit();
    fence(w, "db-1");
    w.run(Duration.ofSeconds(1));
    int mark = w.mark();

    w.removePod("db-0");
    w.run(Duration.ofSeconds(10));

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.pod("db-1").role).isEqualTo(Role.Fenced);
    assertThat(w.pod("db-1").deleting()).isFalse();
    assertThat(w.promotions).isEmpty();
    assertThat(w.lastPhase()).isEqualTo(Phase.Degraded);
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FailoverBlocked)
        .doesNotContain(EventReason.FailoverStarted);
  }

  @Test
  void fencingTheTargetOfAFailoverUnderWayAbortsIt() {
    World w = protectedUnit();
    w.standby().sidecarHung = true; // it will not confirm its promotion at once
    w.removePod("db-0");
    w.reconcile(); // the intent
    w.reconcile(); // lease and promotion sent, waiting for the target's confirmation
    assertThat(w.status.intent()).isNotNull();
    assertThat(w.status.intent().target()).isEqualTo("db-1");
    int mark = w.mark();

    fence(w, "db-1");
    w.run(Duration.ofSeconds(3));

    assertThat(w.eventsSince(mark)).contains(EventReason.FailoverAborted);
    assertThat(w.status.intent()).isNull();
    assertThat(w.selector).isNotEqualTo("db-1");
    assertThat(w.pod("db-1").role).isEqualTo(Role.Fenced);
    assertThat(w.pod("db-1").deleting()).isFalse();
  }

  @Test
  void theAnswerSaysWhatEachNameDidAndHowToUndoIt() {
    World w = protectedUnit();
    fence(w, "db-1,db-7");
    w.run(Duration.ofSeconds(1));
    RequestAnswer a = w.status.answer(Requests.Kind.Fence);
    assertThat(a.value()).isEqualTo("db-1,db-7");
    assertThat(a.state())
        .as("a name that is no member is refused")
        .isEqualTo(RequestAnswer.State.Refused);
    assertThat(a.message())
        .contains(
            "standby db-1 is fenced",
            "Remove db-1 from ou.availability.dev/fenced-members",
            "db-7 is no member of unit db");

    fence(w, "db-1");
    w.run(Duration.ofSeconds(1));
    assertThat(w.status.answer(Requests.Kind.Fence).state()).isEqualTo(RequestAnswer.State.Done);

    fence(w, null);
    w.runUntilProtectedAt(1, Duration.ofSeconds(5));
    assertThat(w.status.answer(Requests.Kind.Fence))
        .extracting(RequestAnswer::value, RequestAnswer::state, RequestAnswer::message)
        .containsExactly(null, RequestAnswer.State.Done, "no member is fenced");
  }
}
