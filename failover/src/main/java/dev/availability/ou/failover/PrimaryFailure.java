package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberRemoval.fenced;
import static dev.availability.ou.failover.MemberRemoval.nodeDown;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The primary failed: a failover to the best candidate starts (its intent written first), or, with automatic failover
 * off or no candidate, the unit is degraded with the primary kept in place for when it recovers. Pure.
 */
final class PrimaryFailure {
  private final CandidateRanking ranking;

  PrimaryFailure(CandidateRanking ranking) {
    this.ranking = ranking;
  }

  /** What the primary's failure, judged {@code verdict}, calls for. */
  Decision decide(Observation o, Verdict verdict) {
    UnitState s = o.state();
    UnitPolicy policy = o.policy();
    String what = "primary " + s.primary() + " failed: " + verdict.describe();
    MembersSilence.Silence silence = MembersSilence.of(o);
    if (silence != null) return unreachable(o, silence, what);
    if (!policy.automatic()) {
      return degraded(
          o,
          ConditionReason.AutomaticFailoverDisabled,
          what
              + "; spec.failover.automatic is false, so nobody is promoted (set it to true, or switch by hand)",
          EventReason.PrimaryFailed);
    }
    java.util.Optional<String> loop = FailoverLoop.suspended(o);
    if (loop.isPresent()) {
      Decision d = degraded(
          o, ConditionReason.FailoverLoop, what + "; " + loop.get(), EventReason.FailoverLoop);
      Member p = o.member(s.primary()).orElse(null);
      // The primary stays; a standby is kept or made so that a resumption finds one (as when nobody
      // is in sync).
      return p != null && !p.terminated() && !p.deleting()
          ? StandbyWhilePrimaryDown.ensure(o, d)
          : d;
    }
    CandidateRanking.Choice choice = ranking.choose(o);
    if (!choice.found()) {
      Decision d = degraded(
          o,
          choice.blockedReason(),
          what + "; " + choice.blockedMessage(),
          choice.blockedReason() == ConditionReason.PoolStandbyBusy
              ? EventReason.PoolStandbyBusy
              : EventReason.FailoverBlocked);
      Member p = o.member(s.primary()).orElse(null);
      boolean primaryMayRecover = p != null && !p.terminated() && !p.deleting();
      return primaryMayRecover
          ? StandbyWhilePrimaryDown.ensure(o, d)
          : clearIfNothingCanRecover(o, d);
    }
    Member target = choice.member();
    Member former = o.member(s.primary()).orElse(null);
    Instant now = o.now();
    Intent intent = new Intent(
        target.pod(),
        s.primary(),
        former != null ? former.node() : null,
        s.epoch() + 1,
        new PromotionReason.Fault(verdict.mainKind()).name(),
        what,
        verdict.faultObservedAt(now),
        now,
        null,
        PromotionKind.Failover,
        choice.assessment().lag(),
        null);
    List<Action> actions = List.of(new Emit(
        EventReason.FailoverStarted,
        what + "; promoting standby " + target.pod() + " at epoch " + intent.epoch(),
        true));
    EarlySuccessor.Planned successor = EarlySuccessor.plan(o, s, intent, target);
    return new Decision(
        successor.state().withIntent(successor.intent()),
        Phase.FailingOver,
        Conditions.failingOver(successor.intent()),
        actions,
        true,
        Duration.ZERO);
  }

  /**
   * Both members unheard ({@link MembersSilence}): nobody is promoted (the standby is as unreachable as the primary),
   * no member is replaced or deleted (both nodes may be back in a moment); the unit shows that it has not served since
   * its members were last heard, and waits for them, or for the node controller's verdict on their nodes.
   */
  private static Decision unreachable(Observation o, MembersSilence.Silence silence, String what) {
    String message =
        what + "; nothing is promoted: standby " + silence.standby() + " is as unreachable"
            + " as the primary. Waiting for nodes " + silence.primaryNode() + " and "
            + silence.standbyNode()
            + " to return (check them: kubectl get nodes), or for the node controller to mark them NotReady";
    return degraded(
        o,
        ConditionReason.MembersUnreachable,
        message,
        EventReason.FailoverBlocked,
        silence.lastHeard());
  }

  /** Nobody is promoted: the unit is Degraded, saying why, and a primary that may recover stays the primary. */
  private static Decision degraded(
      Observation o, ConditionReason reason, String message, EventReason event) {
    return degraded(o, reason, message, event, null);
  }

  private static Decision degraded(
      Observation o,
      ConditionReason reason,
      String message,
      EventReason event,
      Instant notServingSince) {
    List<Action> actions = new ArrayList<>();
    UnitState s = o.state();
    Member p = o.member(s.primary()).orElse(null);
    if (p != null && !p.terminated() && !p.deleting()) {
      // Nobody replaces it, so it stays the primary: keep its assignment and lease current (after
      // an aborted failover it may still hold the Fenced assignment, and would never recover from
      // it).
      if (!p.assigned(Role.Primary, s.epoch(), s.standby()))
        actions.add(new Assign(p.pod(), Role.Primary, s.epoch(), s.standby()));
      PrimaryUpkeep.holdLease(o, s, p, actions);
    }
    actions.add(new Emit(event, message, true));
    // Restarts that moved nobody are reported here; once the app runs again the primary is judged
    // on how it runs then (otherwise an old restart would keep it failed, and fail it over whenever
    // a standby appears). A crashed app's restart is counted only when it runs again: that restart
    // belongs to this fault too.
    if (p != null && p.app() != null)
      s = s.withPrimaryRestartBaseline(p.app().restartCount() + (p.app().crashed() ? 1 : 0));
    return new Decision(
        s,
        Phase.Degraded,
        Conditions.degraded(reason, message, notServingSince),
        actions,
        false,
        o.policy().thresholds().leaseDuration());
  }

  /**
   * The primary is gone or stopped for good and no other member holds the unit's state (each is gone, stopped,
   * being deleted, or has never reported): remove what is left, so that the members the status names are
   * created again (with the volumes that belong to those names).
   */
  private static Decision clearIfNothingCanRecover(Observation o, Decision d) {
    // (a deposed member, assigned Fenced, is never promoted: it brings nothing back)
    if (o.members().values().stream()
        .anyMatch(m -> !m.terminated()
            && !m.deleting()
            && m.report() != null
            && m.assignedRole() != Role.Fenced)) return d;
    List<Action> actions = new ArrayList<>(d.actions());
    for (Member m : o.members().values()) {
      boolean force = nodeDown(o, m)
          && (m.terminated() || fenced(o, o.state(), m)); // a stopped pod runs nothing
      if (!m.deleting() || force) actions.add(new DeleteMember(m.pod(), force));
    }
    return new Decision(
        d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
  }
}
