package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The primary and its standby silent together (both nodes stop renewing their leases, still Ready in the API): the
 * unit is judged failed about 1.5 kubelet renewal periods after the later node went quiet, not at the node
 * controller's NotReady; nothing is promoted, fenced, created or deleted; the unit shows it has not served since its
 * members were last heard, and serves again, with no failover counted, once they are back. The primary's node alone
 * going quiet stays a partition (Suspect).
 */
class MembersSilenceTest {
  static final Duration STALE = Thresholds.nodeLeaseStaleAfter(World.NODE_LEASE);

  @Test
  void bothNodesLostFailsThePrimaryAtStalenessWithoutPromotionAndServesAgainWhenTheyReturn() {
    World w = World.threeNodes().bootstrap();
    String primaryNode = w.primary().node;
    String standbyNode = w.standby().node;
    w.killNode(standbyNode);
    w.run(Duration.ofMillis(500));
    w.killNode(primaryNode);
    Instant lastHeard = w.now; // the primary's node renewed on the last tick before it died
    int mark = w.mark();

    w.runUntil(Phase.Degraded, Duration.ofSeconds(20));

    assertThat(w.now)
        .as("judged once both leases are stale, not at the node controller's NotReady (40 s)")
        .isAfter(lastHeard.plus(STALE))
        .isBeforeOrEqualTo(lastHeard.plus(STALE).plus(World.TICK));
    ConditionView ready = w.condition(ConditionType.Ready);
    assertThat(ready.status()).isFalse();
    assertThat(ready.reason()).isEqualTo(ConditionReason.MembersUnreachable.name());
    assertThat(ready.message())
        .contains("primary db-0 and standby db-1 both unreachable: nodes " + primaryNode + " and "
            + standbyNode + " stopped renewing their leases")
        .contains("nothing is promoted");
    assertThat(ready.since())
        .as("not serving since the members were last heard")
        .isEqualTo(lastHeard);
    assertThat(w.condition(ConditionType.Degraded).reason())
        .isEqualTo(ConditionReason.MembersUnreachable.name());

    // The whole time the nodes still look Ready: the same words, nothing done that a return would
    // regret.
    w.run(World.NODE_GRACE.minus(Duration.ofSeconds(20)));
    assertThat(w.lastPhase()).isEqualTo(Phase.Degraded);
    assertNothingHarmfulSince(w, mark);
    assertThat(w.eventsSince(mark))
        .containsExactly(EventReason.FailoverBlocked)
        .doesNotContain(EventReason.FailoverStarted, EventReason.StandbyScheduled);

    w.healNode(primaryNode);
    w.healNode(standbyNode);
    w.runUntil(Phase.Protected, Duration.ofSeconds(10));
    assertThat(w.condition(ConditionType.Ready).status()).isTrue();
    assertNothingHarmfulSince(w, mark);
    assertThat(w.status.failovers()).as("no failover counted").isZero();
    assertThat(w.status.lastFailover()).isNull();
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.lostAtPromotion).isEmpty();
  }

  @Test
  void aDependentDatesTheOutageFromWhenBothMembersWereLastHeard() {
    World w = World.threeNodes().bootstrap();
    DependencyWatch.Dependency db = new DependencyWatch.Dependency("db", null);
    DependencyWatch.Verdict up = DependencyWatch.assess(
        db,
        new DependencyWatch.Observed("db", w.policy.recoveryBudget(), true, w.now, null),
        null,
        w.now);
    w.killNode(w.standby().node);
    w.killNode(w.primary().node);
    Instant lastHeard = w.now;

    w.runUntil(Phase.Degraded, Duration.ofSeconds(20));
    // What the dependent's operator reads: Ready False, its transition written at the condition's
    // since.
    ConditionView ready = w.condition(ConditionType.Ready);
    DependencyWatch.Observed seen = new DependencyWatch.Observed(
        "db", w.policy.recoveryBudget(), ready.status(), ready.since(), w.lease.renewedAt());
    DependencyWatch.Verdict v = DependencyWatch.assess(db, seen, up, w.now);

    // (the world's 40 s node lease is stale after 15 s: longer than db's 5 s budget, so told at
    // once)
    assertThat(v.available()).isFalse();
    assertThat(v.since()).isEqualTo(lastHeard);
  }

  @Test
  void
      aPrimaryLeaseRenewalSeenAfterBothNodesWentQuietDatesTheOutageForTheUnitAndItsDependentsAlike() {
    World w = World.threeNodes().bootstrap();
    DependencyWatch.Dependency db = new DependencyWatch.Dependency("db", null);
    DependencyWatch.Verdict up = DependencyWatch.assess(
        db,
        new DependencyWatch.Observed("db", w.policy.recoveryBudget(), true, w.now, null),
        null,
        w.now);
    w.killNode(w.standby().node);
    w.killNode(w.primary().node);
    w.run(Duration.ofMillis(600));
    // The primary's sparse renewal, sent just before its node died, seen by the operator only now.
    Instant renewalSeen = w.now;
    w.lease = new PrimaryLease(w.lease.holder(), w.lease.epoch(), renewalSeen, w.lease.duration());

    w.runUntil(Phase.Degraded, Duration.ofSeconds(20));
    ConditionView ready = w.condition(ConditionType.Ready);
    assertThat(ready.reason()).isEqualTo(ConditionReason.MembersUnreachable.name());
    assertThat(ready.since())
        .as("not serving since the unit was last heard")
        .isEqualTo(renewalSeen);
    DependencyWatch.Observed seen = new DependencyWatch.Observed(
        "db", w.policy.recoveryBudget(), ready.status(), ready.since(), w.lease.renewedAt());
    assertThat(DependencyWatch.assess(db, seen, up, w.now).since())
        .as("the dependents date it from the same moment")
        .isEqualTo(ready.since());
  }

  @Test
  void bothKubeletsBlinkingWhileThePodsServeCostsNoMemberAndNoWrite() {
    World w = World.threeNodes().bootstrap();
    w.node(w.primary().node).kubeletStalled = true;
    w.node(w.standby().node).kubeletStalled = true;
    int mark = w.mark();

    w.runUntil(Phase.Degraded, STALE.plusSeconds(1));
    long ackedWhileSilent = w.acked;
    w.run(Duration.ofSeconds(5));
    w.node(w.primary().node).kubeletStalled = false;
    w.node(w.standby().node).kubeletStalled = false;
    w.runUntil(Phase.Protected, Duration.ofSeconds(10));

    assertNothingHarmfulSince(w, mark);
    assertThat(w.status.failovers()).isZero();
    assertThat(w.acked).as("the primary served on").isGreaterThan(ackedWhileSilent);
  }

  @Test
  void thePrimarysNodeAloneSilentStaysSuspect() {
    World w = World.threeNodes().bootstrap();
    w.node(w.primary().node).kubeletStalled = true;
    int mark = w.mark();

    w.run(STALE.plusSeconds(5));

    Verdict v = new PrimaryHealthEvaluator().evaluate(w.observe());
    assertThat(v.status()).isEqualTo(Verdict.Status.Suspect);
    assertThat(v.signals()).extracting(Signal::kind).containsExactly(Signal.Kind.NodeLeaseStale);
    assertThat(w.lastPhase()).isEqualTo(Phase.Protected);
    assertThat(w.condition(ConditionType.Ready).status()).isTrue();
    assertThat(w.eventsSince(mark))
        .contains(EventReason.PrimarySuspect)
        .doesNotContain(EventReason.FailoverBlocked, EventReason.FailoverStarted);
  }

  @Test
  void aPrimaryWhoseNodeIsSilentIsLookedAtAgainWhenItsStandbysNodeWouldBeToo() {
    World w = World.threeNodes().bootstrap();
    w.node(w.primary().node).kubeletStalled = true;
    w.run(Duration.ofSeconds(5));
    w.node(w.standby().node).kubeletStalled = true;
    Instant standbyStale = w.now.plus(STALE);
    w.run(STALE.minusSeconds(5).plusSeconds(1));

    Verdict v = new PrimaryHealthEvaluator().evaluate(w.observe());
    assertThat(v.status()).isEqualTo(Verdict.Status.Suspect);
    assertThat(w.now.plus(v.recheckAfter()))
        .as("the recheck falls just after the standby's node lease goes stale")
        .isAfter(standbyStale)
        .isBeforeOrEqualTo(standbyStale.plusMillis(1));

    w.run(Duration.ofSeconds(5));
    Verdict failed = new PrimaryHealthEvaluator().evaluate(w.observe());
    assertThat(failed.failed()).isTrue();
    assertThat(failed.mainKind()).isEqualTo(Signal.Kind.MembersSilent);
    assertThat(failed.faultObservedAt(w.now)).isEqualTo(standbyStale);
  }

  /** No promotion, no fencing, no member created or deleted, the Service and the lease left where they were. */
  private static void assertNothingHarmfulSince(World w, int mark) {
    assertThat(w.actionsSince(mark))
        .noneMatch(a -> a instanceof DeleteMember
            || a instanceof CreateMember
            || a instanceof PointService
            || a instanceof HoldLease
            || (a instanceof Assign as
                && !(as.role() == Role.Primary && as.pod().equals("db-0"))
                && !(as.role() == Role.Standby && as.pod().equals("db-1"))));
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.intent()).isNull();
    assertThat(w.promotions).isEmpty();
  }
}
