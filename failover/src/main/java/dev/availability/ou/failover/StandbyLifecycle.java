package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;
import static dev.availability.ou.failover.StandbyPlacement.createStandby;
import static dev.availability.ou.failover.StandbyPlacement.leavingHome;
import static dev.availability.ou.failover.StandbyPlacement.nodeBackSince;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.util.List;
import java.util.Set;

/**
 * The standby of a primary that is not failed: a member lost with its node that is back takes its place
 * ({@link MemberRejoin}); otherwise it is created when missing, replaced when it failed, is stuck off a node that came
 * back, or runs an outdated spec (rolled first), and else kept assigned to the primary. Pure.
 */
final class StandbyLifecycle {
  private StandbyLifecycle() {}

  /**
   * What became of the standby.
   *
   * @param state the state to remember (the standby's name, the next ordinal)
   * @param standby the standby kept, when it is ({@code assessment} says how it does), else null
   * @param leavingHome a member still leaving the home node the standby waits for (failback), or null
   * @param fenced the user fenced the standby: it is kept as it is (not streamed to, not replaced, not rolled)
   */
  record Tended(
      UnitState state,
      Member standby,
      StandbyAssessment assessment,
      Member leavingHome,
      boolean fenced) {
    boolean kept() {
      return standby != null;
    }
  }

  /** Tends the standby of primary {@code p}, judged {@code verdict}: adds the actions, says what became of it. */
  static Tended tend(Observation o, UnitState s, Member p, Verdict verdict, List<Action> actions) {
    if (o.pooled()) return tendPooled(o, s, p, actions);
    Member sb = o.member(s.standby()).orElse(null);
    Member returning = MemberRejoin.returning(o, s);
    if (returning != null) {
      // A member lost with its node is back before the standby is in sync: it holds the log up to
      // where it stopped.
      s = MemberRejoin.rejoin(o, s, returning, sb, actions);
      sb = returning;
    }
    if (FormerDeparting.holdsTheStandby(o, s)) {
      // The former primary, its pod being deleted, is the standby until its successor runs.
      s = FormerDeparting.tend(o, s, p, sb, actions);
      sb = o.member(s.standby()).orElse(null);
      if (sb != null && FormerDeparting.departing(o, sb))
        return new Tended(s, sb, StandbyAssessment.of(sb, o), null, false);
    }
    Member leavingHome = s.standby() == null ? leavingHome(o, s) : null;
    boolean fenced = Fencing.asked(o, s.standby());
    // Failback wants the standby on the home node, where the scheduler still counts the member
    // leaving it; a fenced one is kept as it is, for inspection (Fencing).
    if (leavingHome != null || fenced) return new Tended(s, null, null, leavingHome, fenced);
    if (sb == null) return new Tended(create(o, s, p, actions), null, null, null, false);
    StandbyAssessment assessment = StandbyAssessment.of(sb, o);
    UnitState replaced = replaceIfDue(o, s, p, sb, assessment, verdict, actions);
    if (replaced != null) return new Tended(replaced, null, null, null, false);
    if (!sb.assigned(Role.Standby, s.epoch(), p.pod(), MemberSettings.of(o.policy(), s)))
      actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
    if (sb.assignedRole() == Role.Fenced) {
      actions.add(new Emit(
          EventReason.MemberUnfenced,
          "unfenced standby " + sb.pod() + ": it rejoins as standby of " + p.pod()
              + " and catches up",
          false));
    }
    return new Tended(s, sb, assessment, null, false);
  }

  /**
   * A pooled unit's standby is the pool's shared standby once it holds the unit: never created, replaced
   * or rolled here (the pool does that, docs/pools.md), only assigned to the primary. A dedicated standby
   * left from before the unit joined is no longer its standby, and goes ({@link MemberRemoval}).
   */
  private static Tended tendPooled(Observation o, UnitState s, Member p, List<Action> actions) {
    String shared = o.pool().standby();
    // The pool has yet to see that this unit took its standby over: the unit has none meanwhile.
    if (shared != null && shared.equals(s.primary())) shared = null;
    if (!java.util.Objects.equals(s.standby(), shared)) s = s.withStandby(shared);
    Member sb = o.member(shared).orElse(null);
    if (sb == null) return new Tended(s, null, null, null, false);
    if (!sb.assigned(Role.Standby, s.epoch(), p.pod(), o.policy().memberSettings()))
      actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
    // The pool's standby catching up while sb keeps the unit (make-before-break): a standby of the
    // primary too, which streams to both.
    Member next = o.member(nextPeer(o, s, p, sb.pod())).orElse(null);
    if (next != null
        && !next.assigned(Role.Standby, s.epoch(), p.pod(), o.policy().memberSettings()))
      actions.add(new Assign(next.pod(), Role.Standby, s.epoch(), p.pod()));
    return new Tended(s, sb, StandbyAssessment.of(sb, o), null, false);
  }

  /**
   * The standby the primary streams to beside its peer while that one catches up (make-before-break,
   * docs/pools.md step 5): a pooled unit's pool standby while another pod of the pool still holds the unit
   * promotably and is its {@code peer}; else null. Never for a primary that is a pod of the pool (the pool's own
   * assignment path names no next peer).
   */
  static String nextPeer(Observation o, UnitState s, Member p, String peer) {
    if (o.pool() == null || peer == null || p == null) return null;
    String next = o.pool().nextStandby();
    if (next == null
        || next.equals(peer)
        || next.equals(p.pod())
        || o.pool().pods().contains(p.pod())) return null;
    return o.member(next).isPresent() ? next : null;
  }

  /**
   * None yet, or the one the status names does not exist (removed, or the operator stopped between writing its name
   * and creating it): create it, under that name when there is one.
   */
  private static UnitState create(Observation o, UnitState s, Member p, List<Action> actions) {
    String name = s.standby() != null ? s.standby() : o.policy().unit() + "-" + nextOrdinal(o);
    actions.add(createStandby(o, s, name, Set.of()));
    actions.add(new Emit(
        EventReason.StandbyScheduled,
        "scheduling standby " + name + " on a node other than " + p.node(),
        false));
    return s.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
  }

  /**
   * Replaces standby {@code sb} when it failed, when it cannot be scheduled while a node it had to avoid is back, or
   * (the primary healthy) when it runs an outdated spec: the state to remember, or null when it stays.
   */
  private static UnitState replaceIfDue(
      Observation o,
      UnitState s,
      Member p,
      Member sb,
      StandbyAssessment assessment,
      Verdict verdict,
      List<Action> actions) {
    UnitPolicy policy = o.policy();
    boolean healthyPrimary = verdict.status() == Verdict.Status.Healthy && p.ready();
    boolean staleStandby = policy.templateHash() != null
        && sb.templateHash() != null
        && !policy.templateHash().equals(sb.templateHash());
    String back = assessment.state() == StandbyAssessment.State.Unschedulable
        ? nodeBackSince(o, p, sb)
        : null;
    if (back != null && MemberRejoin.awaitedOn(o, s, back))
      back = null; // a member there is coming back: it takes it
    if (!assessment.failed() && back == null && !(staleStandby && healthyPrimary)) return null;
    boolean nodeDown = o.node(sb.node()).map(n -> !n.healthy()).orElse(false);
    String name = policy.unit() + "-" + nextOrdinal(o);
    // A standby lost with its node is fenced and kept, not deleted, in case it comes back first
    // (MemberRejoin).
    if (nodeDown && MemberRejoin.keep(o, s.withStandby(name), sb))
      actions.add(new Assign(sb.pod(), Role.Fenced, s.epoch(), null));
    else actions.add(new DeleteMember(sb.pod(), nodeDown));
    actions.add(createStandby(o, s, name, nodeDown ? Set.of(sb.node()) : Set.of()));
    actions.add(
        assessment.failed()
            ? new Emit(
                EventReason.StandbyReplaced,
                assessment.why() + ": replacing it with " + name
                    + " (no promotion: the primary is healthy)",
                true)
            : back != null
                ? new Emit(
                    EventReason.StandbyReplaced,
                    assessment.why() + " and node " + back + " is Ready again: replacing it with "
                        + name,
                    false)
                : new Emit(
                    EventReason.RollingUpdate,
                    "the spec changed: replacing standby " + sb.pod() + " with " + name + " first",
                    false));
    return s.withStandby(name).withNextOrdinal(nextOrdinal(o) + 1);
  }
}
