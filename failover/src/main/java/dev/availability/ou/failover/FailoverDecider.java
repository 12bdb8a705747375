package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;
import static dev.availability.ou.failover.MemberRemoval.fenced;
import static dev.availability.ou.failover.MemberRemoval.forceDeleteRecheck;
import static dev.availability.ou.failover.MemberRemoval.nodeDown;
import static dev.availability.ou.failover.MemberRemoval.removeExtraMembers;
import static dev.availability.ou.failover.StandbyPlacement.createStandby;
import static dev.availability.ou.failover.StandbyPlacement.leavingHome;
import static dev.availability.ou.failover.StandbyPlacement.nodeBackSince;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The availability manager's brain: one pure step from an {@link Observation} to a {@link Decision}.
 * Called again after every change (and at the times it asks for), it walks a unit through
 * bootstrap → steady state → failover (intent written first; then lease, fence and promotion; once the
 * target's sidecar took it, the Service switch; then the former primary removed and a new standby
 * scheduled) → steady state. Every step is idempotent, so an operator that restarts anywhere resumes from
 * what the status and the pods say.
 *
 * <p>The failover under way is {@link FailoverUnderWay}'s; the user's switchover and drill requests are
 * {@link RequestDecider}'s; where a new standby goes is {@link StandbyPlacement}'s,
 * and which members are removed (and when forcibly) is {@link MemberRemoval}'s.
 */
public final class FailoverDecider {
  private final PrimaryHealthEvaluator primaryHealth = new PrimaryHealthEvaluator();
  private final CandidateRanking ranking = new CandidateRanking();
  private final FailoverUnderWay underWay = new FailoverUnderWay(this::steady);
  private final RequestDecider requests = new RequestDecider(this::steady, primaryHealth, ranking);
  private final Fencing fencing = new Fencing(ranking);

  /** The decision taken: what the unit needs, with fenced members kept fenced, held when the unit is paused. */
  public Decision decide(Observation o) {
    return Pause.apply(o, FenceAnswer.answer(o, Fencing.enforce(o, act(o))));
  }

  private Decision act(Observation o) {
    UnitState s = o.state();
    if (s.intent() != null) return requests.whileUnderWay(o, underWay.continueFailover(o));
    if (s.primary() == null || o.members().isEmpty()) return bootstrap(o);
    return requests.decide(o);
  }

  // ---------------------------------------------------------------- bootstrap: create or adopt members

  private Decision bootstrap(Observation o) {
    UnitState s = o.state();
    Member adopted = o.members().values().stream()
        .filter(m -> m.assignedRole() == Role.Primary && !m.deleting())
        .max(Comparator.comparingLong(Member::assignedEpoch)).orElse(null);
    if (adopted != null && s.primary() == null) {
      // The status was lost (or never written) but the pods say who is who: adopt, don't recreate.
      String standby = o.members().values().stream()
          .filter(m -> m.assignedRole() == Role.Standby && m.assignedEpoch() == adopted.assignedEpoch() && !m.deleting())
          .map(Member::pod).findFirst().orElse(null);
      UnitState next = s.withPrimary(adopted.pod()).withStandby(standby).withEpoch(adopted.assignedEpoch())
          .withNextOrdinal(nextOrdinal(o));
      return steady(new Observation(o.policy(), next, o.members(), o.nodes(), o.lease(), o.service(), o.now()));
    }
    // No member exists although the status names some (the operator stopped between writing the status and
    // creating them, or every pod was removed): create them under the names the status holds.
    boolean again = s.primary() != null;
    long n = nextOrdinal(o);
    String unit = o.policy().unit();
    String primary = again ? s.primary() : unit + "-" + n++;
    String standby = again && s.standby() != null ? s.standby() : unit + "-" + n++;
    long epoch = Math.max(1, s.epoch());
    List<Action> actions = List.of(
        new CreateMember(primary, ordinalOf(primary), Role.Primary, epoch, standby, Set.of(), null),
        new CreateMember(standby, ordinalOf(standby), Role.Standby, epoch, primary, Set.of(), null),
        new HoldLease(primary, epoch, o.policy().thresholds().leaseDuration()),
        new PointService(primary),
        new Emit(EventReason.MembersCreated, (again ? "no member of the unit exists: creating again " : "created ") + "primary " + primary
            + " and standby " + standby + " at epoch " + epoch, again));
    UnitState next = s.withPrimary(primary).withStandby(standby).withEpoch(epoch)
        .withNextOrdinal(Math.max(n, Math.max(ordinalOf(primary), ordinalOf(standby)) + 1));
    return new Decision(next, Phase.Pending, Conditions.pending("creating primary " + primary + " and standby " + standby),
        actions, true, null);
  }

  // ---------------------------------------------------------------- steady state: watch, repair, protect

  Decision steady(Observation o) {
    UnitState s = o.state();
    UnitPolicy policy = o.policy();
    if (Fencing.asked(o, s.primary())) return fencing.primaryFenced(o);
    Decision resuming = fencing.resuming(o);
    if (resuming != null) return resuming;
    Verdict verdict = primaryHealth.evaluate(o);
    if (verdict.failed()) return primaryFailed(o, verdict);

    Member p = o.member(s.primary()).orElse(null);
    List<Action> actions = new ArrayList<>();
    Duration recheck = verdict.recheckAfter();
    if (!s.primary().equals(o.service().selectedMember())) {
      actions.add(new PointService(s.primary()));
      if (o.service().selectedMember() != null && !ServiceView.NOBODY.equals(o.service().selectedMember())) {
        actions.add(new Emit(EventReason.ServiceRepaired, "Service selector named " + o.service().selectedMember() + "; pointed it back at primary " + s.primary(), true));
      }
    }
    int primaryAssignAt = actions.size();
    PrimaryLease lease = o.lease();
    if (lease == null || !p.pod().equals(lease.holder()) || lease.epoch() != s.epoch()) {
      actions.add(new HoldLease(p.pod(), s.epoch(), policy.thresholds().leaseDuration()));
    }
    if (s.primaryRestartBaseline() == null && p.app() != null) s = s.withPrimaryRestartBaseline(p.app().restartCount());
    if (s.homeNode() == null && p.scheduled()) s = s.withHomeNode(p.node());

    // The standby: create, replace, re-assign, roll.
    Member sb = o.member(s.standby()).orElse(null);
    Member returning = MemberRejoin.returning(o, s);
    if (returning != null) {
      // A member lost with its node is back before the standby is in sync: it holds the log up to where it stopped.
      s = MemberRejoin.rejoin(o, s, returning, sb, actions);
      sb = returning;
    }
    StandbyAssessment assessment = null;
    Member leavingHome = s.standby() == null ? leavingHome(o, s) : null;
    boolean standbyFenced = Fencing.asked(o, s.standby());
    if (leavingHome != null) {
      // Failback wants the standby on the home node, where the scheduler still counts the member leaving it.
      recheck = min(recheck, Duration.between(o.now(), leavingHome.deletionRequestedAt().plus(policy.recoveryBudget())));
    } else if (standbyFenced) {
      // Kept as it is, for inspection (Fencing): not streamed to, not replaced, not rolled.
    } else if (sb == null) {
      // None yet, or the one the status names does not exist (removed, or the operator stopped between
      // writing its name and creating it): create it, under that name when there is one.
      String name = s.standby() != null ? s.standby() : policy.unit() + "-" + nextOrdinal(o);
      actions.add(createStandby(o, s, name, Set.of()));
      actions.add(new Emit(EventReason.StandbyScheduled, "scheduling standby " + name + " on a node other than " + p.node(), false));
      s = s.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    } else {
      assessment = StandbyAssessment.of(sb, o);
      boolean healthyPrimary = verdict.status() == Verdict.Status.Healthy && p.ready();
      boolean staleStandby = policy.templateHash() != null && sb.templateHash() != null && !policy.templateHash().equals(sb.templateHash());
      boolean stalePrimary = policy.templateHash() != null && p.templateHash() != null && !policy.templateHash().equals(p.templateHash());
      String back = assessment.state() == StandbyAssessment.State.Unschedulable ? nodeBackSince(o, p, sb) : null;
      if (back != null && MemberRejoin.awaitedOn(o, s, back)) back = null; // a member there is coming back: it takes it
      if (assessment.failed() || back != null || (staleStandby && healthyPrimary)) {
        boolean nodeDown = o.node(sb.node()).map(n -> !n.healthy()).orElse(false);
        String name = policy.unit() + "-" + nextOrdinal(o);
        // A standby lost with its node is fenced and kept, not deleted, in case it comes back first (MemberRejoin).
        if (nodeDown && MemberRejoin.keep(o, s.withStandby(name), sb)) actions.add(new Assign(sb.pod(), Role.Fenced, s.epoch(), null));
        else actions.add(new DeleteMember(sb.pod(), nodeDown));
        actions.add(createStandby(o, s, name, nodeDown ? Set.of(sb.node()) : Set.of()));
        actions.add(assessment.failed()
            ? new Emit(EventReason.StandbyReplaced, assessment.why() + ": replacing it with " + name + " (no promotion: the primary is healthy)", true)
            : back != null ? new Emit(EventReason.StandbyReplaced, assessment.why() + " and node " + back + " is Ready again: replacing it with " + name, false)
            : new Emit(EventReason.RollingUpdate, "the spec changed: replacing standby " + sb.pod() + " with " + name + " first", false));
        s = s.withStandby(name).withNextOrdinal(nextOrdinal(o) + 1);
        assessment = null;
      } else {
        if (!sb.assigned(Role.Standby, s.epoch(), p.pod())) actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
        if (sb.assignedRole() == Role.Fenced) {
          actions.add(new Emit(EventReason.MemberUnfenced, "unfenced standby " + sb.pod() + ": it rejoins as standby of " + p.pod() + " and catches up", false));
        }
        if (healthyPrimary && assessment.inSync()) {
          NodeMaintenance.Verdict drain = NodeMaintenance.judge(o, s, p, sb);
          if (drain != null && drain.switchNow()) return switchover(o, s, sb, assessment, NodeMaintenance.REASON, drain.message());
          if (drain != null && drain.step() == NodeMaintenance.Step.READY_SUCCESSOR && drain.successor() == null) {
            s = NodeMaintenance.readySuccessor(o, s, drain, actions);
          }
          boolean mayReceive = NodeMaintenance.mayReceive(o, sb);
          if (stalePrimary && mayReceive) return switchover(o, s, sb, assessment, "SpecChanged", "the spec changed: switching to the updated standby " + sb.pod() + " before replacing " + p.pod());
          if (mayReceive && policy.failback() && s.homeNode() != null && !s.homeNode().equals(p.node()) && s.homeNode().equals(sb.node())) {
            return switchover(o, s, sb, assessment, "Failback", "node " + s.homeNode() + " is back and " + sb.pod() + " there is in sync: failing back");
          }
        }
      }
    }
    // The primary's assignment names the standby of the moment (its sidecar streams to it), none while it is fenced.
    String peer = Fencing.peerOf(o, s.standby());
    if (!p.assigned(Role.Primary, s.epoch(), peer)) actions.add(primaryAssignAt, new Assign(p.pod(), Role.Primary, s.epoch(), peer));
    removeExtraMembers(o, s, actions);

    // Phase and conditions.
    Phase phase;
    List<ConditionView> conditions;
    boolean partition = verdict.status() == Verdict.Status.Suspect && verdict.signals().stream().anyMatch(x -> x.kind() == Signal.Kind.PeerLost);
    if (p.phase() != Member.PodPhase.Running) {
      phase = Phase.Pending;
      conditions = Conditions.pending("primary " + p.pod() + " is " + (p.scheduled() ? "starting on " + p.node() : "waiting to be scheduled"));
    } else if (partition) {
      phase = Phase.Unprotected;
      conditions = Conditions.steady(p, o, false, "PeerUnreachable", verdict.describe() + ", but the primary looks healthy to the API server: not promoting (a partition is not a crash)");
      actions.add(new Emit(EventReason.PeerUnreachable, verdict.describe() + "; the primary still renews its lease and is ready: no promotion", true));
    } else if (standbyFenced) {
      phase = Phase.Unprotected;
      conditions = Conditions.steady(p, o, false, "StandbyFenced", Fencing.standbyMessage(o, s.standby()));
    } else if (leavingHome != null) {
      phase = Phase.Synchronizing;
      conditions = Conditions.steady(p, o, false, "StandbyStarting", "waiting for " + leavingHome.pod() + " to leave node " + s.homeNode()
          + " before creating the standby there (failback)");
    } else if (assessment == null) {
      phase = Phase.Synchronizing;
      conditions = Conditions.steady(p, o, false, "StandbyStarting", "standby " + s.standby() + " is being created");
    } else {
      // Protected means a failover now would be allowed (an asynchronous standby may stream yet trail too far).
      boolean promotable = assessment.inSync() && CandidateRanking.promotable(assessment, policy);
      phase = switch (assessment.state()) {
        case InSync -> promotable ? Phase.Protected : Phase.Synchronizing;
        case CatchingUp, Starting -> Phase.Synchronizing;
        default -> Phase.Unprotected;
      };
      String reason = switch (assessment.state()) {
        case InSync -> promotable ? "StandbyInSync" : "StandbyLagging";
        case CatchingUp -> "StandbyCatchingUp";
        case Starting -> "StandbyStarting";
        case Unschedulable -> "StandbyUnschedulable";
        case Failed -> "StandbyFailed";
      };
      conditions = Conditions.steady(p, o, promotable, reason, promotable || !assessment.inSync() ? assessment.why()
          : assessment.why() + " but trails by " + assessment.lag() + " updates, more than maxPromotableLag " + policy.maxPromotableLag());
    }
    NodeMaintenance.Verdict drain = NodeMaintenance.judge(o, s, p, o.member(s.standby()).orElse(null));
    if (drain != null && drain.step() == NodeMaintenance.Step.WAIT) actions.add(new Emit(EventReason.DrainWaiting, drain.message(), true));
    if (verdict.status() == Verdict.Status.Suspect && !partition) {
      actions.add(new Emit(EventReason.PrimarySuspect, verdict.describe() + " (one weak signal: not enough to fail over)", true));
    }
    s = recordTimings(o, s, phase, actions);
    recheck = min(recheck, forceDeleteRecheck(o, s));
    recheck = min(recheck, MemberRejoin.recheck(o, s));
    return new Decision(s, phase, conditions, actions, creates(actions), recheck);
  }

  /** A decision that creates a member names it in the status first, so a restart creates the same one. */
  static boolean creates(List<Action> actions) {
    return actions.stream().anyMatch(a -> a instanceof CreateMember);
  }

  // ---------------------------------------------------------------- the primary failed

  private Decision primaryFailed(Observation o, Verdict verdict) {
    UnitState s = o.state();
    UnitPolicy policy = o.policy();
    String what = "primary " + s.primary() + " failed: " + verdict.describe();
    if (!policy.automatic()) {
      return degraded(o, "AutomaticFailoverDisabled", what + "; spec.failover.automatic is false, so nobody is promoted (set it to true, or switch by hand)",
          EventReason.PrimaryFailed);
    }
    CandidateRanking.Choice choice = ranking.choose(o);
    if (!choice.found()) {
      Decision d = degraded(o, choice.blockedReason(), what + "; " + choice.blockedMessage(), EventReason.FailoverBlocked);
      Member p = o.member(s.primary()).orElse(null);
      boolean primaryMayRecover = p != null && !p.terminated() && !p.deleting();
      return primaryMayRecover ? withStandbyThatCanStart(o, d) : clearIfNothingCanRecover(o, d);
    }

    Member target = choice.member();
    Member former = o.member(s.primary()).orElse(null);
    Instant now = o.now();
    Intent intent = new Intent(target.pod(), s.primary(), former != null ? former.node() : null, s.epoch() + 1,
        verdict.mainKind().name(), what, verdict.faultObservedAt(now), now, null, PromotionKind.Failover, choice.assessment().lag(), null);
    List<Action> actions = List.of(new Emit(EventReason.FailoverStarted, what + "; promoting standby " + target.pod() + " at epoch " + intent.epoch(), true));
    return new Decision(s.withIntent(intent), Phase.FailingOver, Conditions.failingOver(intent), actions, true, Duration.ZERO);
  }

  /**
   * The primary failed but may recover, and the standby pod is gone, or never ran and cannot be scheduled
   * while a node it had to avoid is back: create one (never replace one that ran, it may come back in sync).
   * It catches up from the primary's sidecar if that still streams, and is promoted once in sync; otherwise
   * it protects the primary when it recovers.
   */
  private Decision withStandbyThatCanStart(Observation o, Decision d) {
    UnitState s = d.state();
    Member sb = o.member(s.standby()).orElse(null);
    Member p = o.member(s.primary()).orElse(null);
    Member returning = MemberRejoin.returning(o, s);
    List<Action> actions = new ArrayList<>(d.actions());
    if (returning != null) {
      // A member lost with its node is back: it protects the primary when that recovers (and catches up from its log).
      UnitState next = MemberRejoin.rejoin(o, s, returning, sb, actions);
      actions.add(new Assign(returning.pod(), Role.Standby, next.epoch(), next.primary()));
      removeExtraMembers(o, next, actions);
      return new Decision(next, d.phase(), d.conditions(), actions, true, d.recheckAfter());
    }
    removeExtraMembers(o, s, actions); // (members kept in case they came back, once they no longer are)
    String back = sb != null && sb.unschedulable() && sb.report() == null ? nodeBackSince(o, p, sb) : null;
    boolean stuck = back != null && !MemberRejoin.awaitedOn(o, s, back);
    if (sb != null && !stuck) return new Decision(d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
    String name = s.standby() != null && !stuck ? s.standby() : o.policy().unit() + "-" + nextOrdinal(o);
    if (stuck) actions.add(new DeleteMember(sb.pod(), false));
    actions.add(createStandby(o, s, name, Set.of()));
    actions.add(new Emit(EventReason.StandbyScheduled, "scheduling standby " + name + " while primary " + s.primary() + " is down", false));
    UnitState next = s.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    return new Decision(next, d.phase(), d.conditions(), actions, true, d.recheckAfter());
  }

  /**
   * The primary is gone or stopped for good and no other member holds the unit's state (each is gone, stopped,
   * being deleted, or has never reported): remove what is left, so that the members the status names are
   * created again (with the volumes that belong to those names).
   */
  private static Decision clearIfNothingCanRecover(Observation o, Decision d) {
    // (a deposed member, assigned Fenced, is never promoted: it brings nothing back)
    if (o.members().values().stream().anyMatch(m -> !m.terminated() && !m.deleting() && m.report() != null && m.assignedRole() != Role.Fenced)) return d;
    List<Action> actions = new ArrayList<>(d.actions());
    for (Member m : o.members().values()) {
      boolean force = nodeDown(o, m) && (m.terminated() || fenced(o, o.state(), m)); // a stopped pod runs nothing
      if (!m.deleting() || force) actions.add(new DeleteMember(m.pod(), force));
    }
    return new Decision(d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
  }

  /** A planned switchover to the in-sync {@code target}, the primary healthy: the intent first, as for a failover. */
  static Decision switchover(Observation o, UnitState s, Member target, StandbyAssessment a, String reason, String message) {
    Member former = o.member(s.primary()).orElse(null);
    // (an asynchronous standby may stream in sync yet trail: a planned switch loses that much)
    Long lag = o.policy().mode() == UnitPolicy.Mode.Asynchronous ? a.lag() : Long.valueOf(0);
    Intent intent = new Intent(target.pod(), s.primary(), former.node(), s.epoch() + 1, reason, message, o.now(), o.now(), null, PromotionKind.Switchover, lag, null);
    List<Action> actions = List.of(new Emit(EventReason.SwitchoverStarted, message, false));
    return new Decision(s.withIntent(intent), Phase.FailingOver, Conditions.failingOver(intent), actions, true, Duration.ZERO);
  }

  private Decision degraded(Observation o, String reason, String message, EventReason event) {
    List<Action> actions = new ArrayList<>();
    UnitState s = o.state();
    Member p = o.member(s.primary()).orElse(null);
    if (p != null && !p.terminated() && !p.deleting()) {
      // Nobody replaces it, so it stays the primary: keep its assignment and lease current (after an aborted
      // failover it may still hold the Fenced assignment, and would never recover from it).
      if (!p.assigned(Role.Primary, s.epoch(), s.standby())) actions.add(new Assign(p.pod(), Role.Primary, s.epoch(), s.standby()));
      PrimaryLease lease = o.lease();
      if (lease == null || !p.pod().equals(lease.holder()) || lease.epoch() != s.epoch()) {
        actions.add(new HoldLease(p.pod(), s.epoch(), o.policy().thresholds().leaseDuration()));
      }
    }
    actions.add(new Emit(event, message, true));
    // Restarts that moved nobody are reported here; once the app runs again the primary is judged on how it
    // runs then (otherwise an old restart would keep it failed, and fail it over whenever a standby appears).
    // A crashed app's restart is counted only when it runs again: that restart belongs to this fault too.
    if (p != null && p.app() != null) s = s.withPrimaryRestartBaseline(p.app().restartCount() + (p.app().crashed() ? 1 : 0));
    return new Decision(s, Phase.Degraded, Conditions.degraded(reason, message), actions, false, o.policy().thresholds().leaseDuration());
  }

  // ---------------------------------------------------------------- timings of the last failover

  static UnitState recordTimings(Observation o, UnitState s, Phase phase, List<Action> actions) {
    FailoverTimings t = s.lastFailover();
    if (t == null) return s;
    if (t.endpointsSwitchedAt() == null && t.serviceSwitchedAt() != null
        && o.service().endpointMembers().equals(Set.of(t.newPrimary()))) {
      t = t.withEndpointsSwitchedAt(o.now());
    }
    if (t.standbyReadyAt() == null && phase == Phase.Protected) {
      t = t.withStandbyReadyAt(o.now());
      actions.add(new Emit(EventReason.ProtectionRestored, "standby " + s.standby() + " is in sync: the unit is protected again", false));
    }
    return Objects.equals(t, s.lastFailover()) ? s : s.withLastFailover(t);
  }

  private static Duration min(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) <= 0 ? a : b;
  }
}
