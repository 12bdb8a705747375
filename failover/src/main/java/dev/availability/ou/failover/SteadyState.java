package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberRemoval.forceDeleteRecheck;
import static dev.availability.ou.failover.MemberRemoval.removeExtraMembers;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A unit with a primary and no promotion under way: watch, repair, protect. A fenced primary is {@link Fencing}'s, a
 * failed one {@link PrimaryFailure}'s. Otherwise the primary is kept current ({@link PrimaryUpkeep}), its standby
 * tended ({@link StandbyLifecycle}), a planned switchover started when one is due ({@link NodeMaintenance},
 * {@link PlannedSwitchover}), members the unit no longer needs removed ({@link MemberRemoval}), and the unit's
 * protection shown ({@link SteadyStatus}). Pure.
 */
final class SteadyState {
  private final PrimaryHealthEvaluator primaryHealth;
  private final Fencing fencing;
  private final PrimaryFailure primaryFailure;

  SteadyState(PrimaryHealthEvaluator primaryHealth, CandidateRanking ranking) {
    this.primaryHealth = primaryHealth;
    this.fencing = new Fencing(ranking);
    this.primaryFailure = new PrimaryFailure(ranking);
  }

  Decision decide(Observation o) {
    UnitState s = o.state();
    if (Fencing.asked(o, s.primary())) return fencing.primaryFenced(o);
    Decision resuming = fencing.resuming(o);
    if (resuming != null) return resuming;
    Verdict verdict = primaryHealth.evaluate(o);
    if (verdict.failed()) return primaryFailure.decide(o, verdict);

    Member p = o.member(s.primary()).orElse(null);
    List<Action> actions = new ArrayList<>();
    PrimaryUpkeep.pointService(o, s, actions);
    int primaryAssignAt =
        actions.size(); // (the primary's assignment names the standby, known below)
    PrimaryUpkeep.holdLease(o, s, p, actions);
    if (s.primaryRestartBaseline() == null && p.app() != null)
      s = s.withPrimaryRestartBaseline(p.app().restartCount());
    if (s.homeNode() == null && p.scheduled()) s = s.withHomeNode(p.node());

    StandbyLifecycle.Tended standby = StandbyLifecycle.tend(o, s, p, verdict, actions);
    s = standby.state();
    boolean healthyPrimary = verdict.status() == Verdict.Status.Healthy && p.ready();
    if (standby.kept() && healthyPrimary && standby.assessment().inSync()) {
      Member sb = standby.standby();
      NodeMaintenance.Verdict drain = NodeMaintenance.judge(o, s, p, sb);
      if (drain != null && drain.switchNow())
        return PlannedSwitchover.start(
            o,
            s,
            sb,
            standby.assessment(),
            PromotionReason.Chosen.NodeMaintenance,
            drain.message());
      if (drain != null
          && drain.step() == NodeMaintenance.Step.READY_SUCCESSOR
          && drain.successor() == null) {
        s = NodeMaintenance.readySuccessor(o, s, drain, actions);
      }
      Decision switchover = PlannedSwitchover.dueOnItsOwn(o, s, p, sb, standby.assessment());
      if (switchover != null) return switchover;
    }
    // The primary's assignment names the standby of the moment (its sidecar streams to it), none
    // while it is fenced.
    String peer = Fencing.peerOf(o, s.standby());
    String next = StandbyLifecycle.nextPeer(o, s, p, peer);
    if (!p.assigned(Role.Primary, s.epoch(), peer, next, MemberSettings.of(o.policy(), s))) {
      actions.add(primaryAssignAt, new Assign(p.pod(), Role.Primary, s.epoch(), peer, next));
      // Leaving Synchronous or Journal mode: its lease, renewed sparsely until now, is renewed
      // first (VouchLease).
      if (o.policy().mode() == UnitPolicy.Mode.Asynchronous
          && p.assignedMode(UnitPolicy.Mode.Asynchronous) != UnitPolicy.Mode.Asynchronous
          && o.lease() != null
          && p.pod().equals(o.lease().holder())
          && o.lease().epoch() == s.epoch()) {
        actions.add(primaryAssignAt, new Action.VouchLease(p.pod(), s.epoch()));
      }
    }
    removeExtraMembers(o, s, actions);

    SteadyStatus.Shown shown = SteadyStatus.of(o, s, p, verdict, standby);
    SteadyStatus.warn(o, s, p, verdict, actions);
    s = TimingsProgress.record(o, s, shown.phase(), actions);
    Duration recheck = verdict.recheckAfter();
    if (standby.leavingHome() != null) {
      // Look again when the member leaving the home node stops being waited for.
      recheck = min(
          recheck,
          Duration.between(
              o.now(),
              standby.leavingHome().deletionRequestedAt().plus(o.policy().recoveryBudget())));
    }
    recheck = min(recheck, forceDeleteRecheck(o, s));
    recheck = min(recheck, MemberRejoin.recheck(o, s));
    return new Decision(
        s, shown.phase(), shown.conditions(), actions, Decision.createsMember(actions), recheck);
  }

  private static Duration min(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) <= 0 ? a : b;
  }
}
