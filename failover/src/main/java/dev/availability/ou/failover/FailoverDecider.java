package dev.availability.ou.failover;

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
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
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
 */
public final class FailoverDecider {
  private final PrimaryHealthEvaluator primaryHealth = new PrimaryHealthEvaluator();
  private final CandidateRanking ranking = new CandidateRanking();

  public Decision decide(Observation o) {
    UnitState s = o.state();
    if (s.intent() != null) return continueFailover(o);
    if (s.primary() == null || o.members().isEmpty()) return bootstrap(o);
    return steady(o);
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

  private static long nextOrdinal(Observation o) {
    long fromPods = o.members().values().stream().mapToLong(Member::ordinal).max().orElse(-1) + 1;
    return Math.max(o.state().nextOrdinal(), fromPods);
  }

  // ---------------------------------------------------------------- steady state: watch, repair, protect

  private Decision steady(Observation o) {
    UnitState s = o.state();
    UnitPolicy policy = o.policy();
    Verdict verdict = primaryHealth.evaluate(o);
    if (verdict.failed()) return primaryFailed(o, verdict);

    Member p = o.member(s.primary()).orElse(null);
    List<Action> actions = new ArrayList<>();
    Duration recheck = verdict.recheckAfter();
    if (!s.primary().equals(o.service().selectedMember())) {
      actions.add(new PointService(s.primary()));
      if (o.service().selectedMember() != null) {
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
    StandbyAssessment assessment = null;
    Member leavingHome = s.standby() == null ? leavingHome(o, s) : null;
    if (leavingHome != null) {
      // Failback wants the standby on the home node, where the scheduler still counts the member leaving it.
      recheck = min(recheck, Duration.between(o.now(), leavingHome.deletionRequestedAt().plus(policy.recoveryBudget())));
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
      if (assessment.failed() || back != null || (staleStandby && healthyPrimary)) {
        boolean nodeDown = o.node(sb.node()).map(n -> !n.healthy()).orElse(false);
        String name = policy.unit() + "-" + nextOrdinal(o);
        actions.add(new DeleteMember(sb.pod(), nodeDown));
        actions.add(createStandby(o, s, name, nodeDown ? Set.of(sb.node()) : Set.of()));
        actions.add(assessment.failed()
            ? new Emit(EventReason.StandbyReplaced, assessment.why() + ": replacing it with " + name + " (no promotion: the primary is healthy)", true)
            : back != null ? new Emit(EventReason.StandbyReplaced, assessment.why() + " and node " + back + " is Ready again: replacing it with " + name, false)
            : new Emit(EventReason.RollingUpdate, "the spec changed: replacing standby " + sb.pod() + " with " + name + " first", false));
        s = s.withStandby(name).withNextOrdinal(nextOrdinal(o) + 1);
        assessment = null;
      } else {
        if (!sb.assigned(Role.Standby, s.epoch(), p.pod())) actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
        if (healthyPrimary && assessment.inSync()) {
          if (stalePrimary) return switchover(o, s, sb, assessment, "SpecChanged", "the spec changed: switching to the updated standby " + sb.pod() + " before replacing " + p.pod());
          if (policy.failback() && s.homeNode() != null && !s.homeNode().equals(p.node()) && s.homeNode().equals(sb.node())) {
            return switchover(o, s, sb, assessment, "Failback", "node " + s.homeNode() + " is back and " + sb.pod() + " there is in sync: failing back");
          }
        }
      }
    }
    // The primary's assignment names the standby of the moment (its sidecar streams to it).
    if (!p.assigned(Role.Primary, s.epoch(), s.standby())) actions.add(primaryAssignAt, new Assign(p.pod(), Role.Primary, s.epoch(), s.standby()));
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
    if (verdict.status() == Verdict.Status.Suspect && !partition) {
      actions.add(new Emit(EventReason.PrimarySuspect, verdict.describe() + " (one weak signal: not enough to fail over)", true));
    }
    s = recordTimings(o, s, phase, actions);
    recheck = min(recheck, forceDeleteRecheck(o, s));
    return new Decision(s, phase, conditions, actions, creates(actions), recheck);
  }

  /**
   * A node (other than the primary's) that became Ready after the unschedulable standby was created: the
   * standby may have been told to avoid it while it was down, and a new one may fit there now.
   */
  private static String nodeBackSince(Observation o, Member p, Member sb) {
    Instant created = sb.readySince(); // a standby that never ran has been unready since it was created
    if (created == null) return null;
    return o.nodes().values().stream()
        .filter(n -> n.healthy() && !n.name().equals(p.node()) && n.readySince() != null && n.readySince().isAfter(created))
        .map(NodeView::name).sorted().findFirst().orElse(null);
  }

  /** A decision that creates a member names it in the status first, so a restart creates the same one. */
  private static boolean creates(List<Action> actions) {
    return actions.stream().anyMatch(a -> a instanceof CreateMember);
  }

  private CreateMember createStandby(Observation o, UnitState s, String name, Set<String> alsoAvoid) {
    Set<String> avoid = avoidForStandby(o, s, alsoAvoid);
    return new CreateMember(name, ordinalOf(name), Role.Standby, s.epoch(), s.primary(), Set.copyOf(avoid), homeToPrefer(o, s, avoid));
  }

  private static Set<String> avoidForStandby(Observation o, UnitState s, Set<String> alsoAvoid) {
    Member p = o.member(s.primary()).orElse(null);
    Set<String> avoid = new LinkedHashSet<>();
    if (p != null && p.scheduled()) avoid.add(p.node());
    avoid.addAll(alsoAvoid);
    o.nodes().values().stream().filter(n -> !n.healthy()).map(NodeView::name).forEach(avoid::add);
    // The set becomes the pod's required node affinity, a snapshot of this moment: excluding every node would
    // leave the standby unschedulable for good once they recover (seen after the API server restarted, when every
    // node looked NotReady for a moment). Then only the primary's node is excluded; the scheduler keeps the pod off
    // nodes that are still not ready by their taints, and it lands on the first that recovers.
    if (!o.nodes().isEmpty() && avoid.containsAll(o.nodes().keySet())) {
      avoid.clear();
      if (p != null && p.scheduled()) avoid.add(p.node());
    }
    return avoid;
  }

  /** With failback, a new standby goes to the home node when it may: in sync there, the primary moves back. */
  private static String homeToPrefer(Observation o, UnitState s, Set<String> avoid) {
    return o.policy().failback() && s.homeNode() != null && !avoid.contains(s.homeNode()) ? s.homeNode() : null;
  }

  /** A member (not the primary) still leaving the home node a new standby should go to, for up to a recovery budget. */
  private static Member leavingHome(Observation o, UnitState s) {
    if (homeToPrefer(o, s, avoidForStandby(o, s, Set.of())) == null) return null;
    return o.members().values().stream()
        .filter(m -> s.homeNode().equals(m.node()) && m.deleting() && !m.pod().equals(s.primary())
            && o.now().isBefore(m.deletionRequestedAt().plus(o.policy().recoveryBudget())))
        .findFirst().orElse(null);
  }

  private static long ordinalOf(String pod) {
    return Long.parseLong(pod.substring(pod.lastIndexOf('-') + 1));
  }

  /** Members that are neither primary nor standby (a former primary left behind, a stray): remove them. */
  private void removeExtraMembers(Observation o, UnitState s, List<Action> actions) {
    Set<String> deletedNow = new LinkedHashSet<>();
    actions.stream().filter(a -> a instanceof DeleteMember).map(a -> ((DeleteMember) a).pod()).forEach(deletedNow::add);
    for (Member m : o.members().values()) {
      if (m.pod().equals(s.primary()) || m.pod().equals(s.standby()) || deletedNow.contains(m.pod())) continue;
      boolean hangs = mayHang(o, s, m);
      if (!m.deleting()) actions.add(new DeleteMember(m.pod(), hangs && fenced(o, s, m)));
      else if (hangs && fenced(o, s, m)) actions.add(new DeleteMember(m.pod(), true));
    }
  }

  private static boolean nodeDown(Observation o, Member m) {
    return o.node(m.node()).map(n -> !n.healthy()).orElse(m.scheduled());
  }

  /**
   * A graceful deletion may never finish: the member's node is down or gone, or the failover that deposed
   * it suspected the node (which the API server may show Ready for its whole grace period).
   */
  private static boolean mayHang(Observation o, UnitState s, Member m) {
    if (nodeDown(o, m)) return true;
    Intent i = s.intent();
    FailoverTimings t = s.lastFailover();
    String reason = i != null && m.pod().equals(i.former()) ? i.reason() : t != null && m.pod().equals(t.former()) ? t.reason() : null;
    return suspectsNode(reason);
  }

  private static boolean suspectsNode(String reason) {
    return Arrays.stream(Signal.Kind.values()).anyMatch(k -> k.suspectsNode() && k.name().equals(reason));
  }

  /**
   * A member is fenced once it says so, once the lease it holds has expired, or once a lease duration has
   * passed since the lease moved away from it: its sidecar stops acknowledging writes when it cannot renew.
   */
  private static boolean fenced(Observation o, UnitState s, Member m) {
    if (m.report() != null && m.report().role() == Role.Fenced) return true;
    PrimaryLease lease = o.lease();
    if (lease != null && m.pod().equals(lease.holder()) && lease.expiresAt() != null && !o.now().isBefore(lease.expiresAt())) return true;
    if (m.assignedRole() == Role.Standby || m.assignedRole() == null) return true; // never held the lease at this epoch
    // (only for the member the lease moved away from: the one a failover promoted holds it)
    Intent i = s.intent();
    FailoverTimings t = s.lastFailover();
    Instant movedAt = i != null && m.pod().equals(i.former()) ? i.serviceSwitchedAt() : t != null && m.pod().equals(t.former()) ? t.serviceSwitchedAt() : null;
    if (movedAt == null) return false;
    return !o.now().isBefore(movedAt.plus(o.policy().thresholds().leaseDuration()));
  }

  private static Duration forceDeleteRecheck(Observation o, UnitState s) {
    FailoverTimings last = s.lastFailover();
    if (last == null || last.serviceSwitchedAt() == null) return null;
    Instant at = last.serviceSwitchedAt().plus(o.policy().thresholds().leaseDuration());
    boolean waiting = o.members().values().stream().anyMatch(m -> m.pod().equals(last.former()) && mayHang(o, s, m));
    return waiting && o.now().isBefore(at) ? Duration.between(o.now(), at) : null;
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
        verdict.mainKind().name(), what, verdict.faultObservedAt(now), now, null, false, choice.assessment().lag(), null);
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
    boolean stuck = sb != null && sb.unschedulable() && sb.report() == null && nodeBackSince(o, p, sb) != null;
    if (sb != null && !stuck) return d;
    String name = s.standby() != null && !stuck ? s.standby() : o.policy().unit() + "-" + nextOrdinal(o);
    List<Action> actions = new ArrayList<>(d.actions());
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
    if (o.members().values().stream().anyMatch(m -> !m.terminated() && !m.deleting() && m.report() != null)) return d;
    List<Action> actions = new ArrayList<>(d.actions());
    for (Member m : o.members().values()) {
      boolean force = nodeDown(o, m) && (m.terminated() || fenced(o, o.state(), m)); // a stopped pod runs nothing
      if (!m.deleting() || force) actions.add(new DeleteMember(m.pod(), force));
    }
    return new Decision(d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
  }

  private Decision switchover(Observation o, UnitState s, Member target, StandbyAssessment a, String reason, String message) {
    Member former = o.member(s.primary()).orElse(null);
    // (an asynchronous standby may stream in sync yet trail: a planned switch loses that much)
    Long lag = o.policy().mode() == UnitPolicy.Mode.Asynchronous ? a.lag() : Long.valueOf(0);
    Intent intent = new Intent(target.pod(), s.primary(), former.node(), s.epoch() + 1, reason, message, o.now(), o.now(), null, true, lag, null);
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
    if (p != null && p.app() != null) s = s.withPrimaryRestartBaseline(p.app().restartCount());
    return new Decision(s, Phase.Degraded, Conditions.degraded(reason, message), actions, false, o.policy().thresholds().leaseDuration());
  }

  // ---------------------------------------------------------------- a failover under way

  private Decision continueFailover(Observation o) {
    UnitState s = o.state();
    Intent i = s.intent();
    Member target = o.member(i.target()).orElse(null);
    Member former = o.member(i.former()).orElse(null);
    Instant now = o.now();
    List<Action> actions = new ArrayList<>();

    if (!i.target().equals(s.primary())) {
      // Step 1 (the intent is durable): promote, fence, and once the target took it, switch traffic.
      StandbyAssessment ta = target == null ? null : StandbyAssessment.of(target, o);
      // Until its sidecar has taken the promotion, the target must still be fit to take it.
      boolean took = target != null && target.report() != null && target.report().role() == Role.Primary && target.report().epoch() >= i.epoch();
      boolean fit = ta != null && !ta.failed() && (took || (i.planned() ? ta.inSync() : CandidateRanking.promotable(ta, o.policy())));
      if (!fit) {
        String why = target == null ? "standby " + i.target() + " is gone" : ta.failed() ? ta.why() : ta.why() + ", no longer promotable";
        return abort(o, why);
      }
      Duration lease = o.policy().thresholds().leaseDuration();
      if (o.policy().mode() == UnitPolicy.Mode.Asynchronous && !took) {
        // Asynchronous: the former primary acknowledges alone, so it is fenced, and silent for certain, first.
        Instant silentFrom = FormerPrimarySilence.silentFrom(o, i, former);
        if (silentFrom != null && now.isBefore(silentFrom)) {
          List<Action> fence = former == null ? List.of() : List.of(new Assign(former.pod(), Role.Fenced, i.epoch(), null));
          Duration poll = o.policy().thresholds().renewInterval().dividedBy(2);
          Duration wait = Duration.between(now, silentFrom);
          return new Decision(s, Phase.FailingOver, Conditions.failingOver(i), notYetInPlace(o, fence), false, wait.compareTo(poll) < 0 ? wait : poll);
        }
      }
      actions.add(new HoldLease(target.pod(), i.epoch(), lease));
      // Fence even a former primary that is being deleted: it may acknowledge writes until it is gone.
      if (former != null) actions.add(new Assign(former.pod(), Role.Fenced, i.epoch(), null));
      actions.add(new Assign(target.pod(), Role.Primary, i.epoch(), null));
      // A target whose sidecar reports must confirm the promotion before traffic moves to it: a standby
      // that died with its primary (both nodes lost) looks healthy to the API server for a while.
      if (target.report() != null && !took) {
        boolean asked = target.assigned(Role.Primary, i.epoch(), null);
        // The deadline counts from the first time the promotion was seen sent (persisted), never from the
        // decision alone: an operator that restarts mid-way must not abort before the target could answer.
        Instant askedAt = i.promotionAskedAt() != null ? i.promotionAskedAt() : asked ? now : null;
        Instant deadline = askedAt == null ? null : askedAt.plus(lease);
        if (deadline == null || now.isBefore(deadline)) {
          Duration poll = o.policy().thresholds().renewInterval().dividedBy(2);
          Duration wait = deadline == null ? poll : Duration.between(now, deadline);
          UnitState waiting = askedAt != null && i.promotionAskedAt() == null ? s.withIntent(i.asked(askedAt)) : s;
          return new Decision(waiting, Phase.FailingOver, Conditions.failingOver(i), notYetInPlace(o, actions), false, wait.compareTo(poll) < 0 ? wait : poll);
        }
        return abort(o, "standby " + target.pod() + " did not confirm its promotion within " + lease.toMillis() + " ms (its sidecar is silent)");
      }
      actions = new ArrayList<>(notYetInPlace(o, actions));
      actions.add(new PointService(target.pod()));
      actions.add(new Emit(EventReason.PrimaryFenced, "fenced " + i.former() + ": out of the Service, epochs before " + i.epoch() + " refused", false));
      actions.add(new Emit(EventReason.StandbyPromoted, "promoted " + target.pod() + " to primary at epoch " + i.epoch(), false));
      actions.add(new Emit(EventReason.TrafficSwitched, "Service " + o.policy().unit() + " now selects " + target.pod(), false));
      FailoverTimings timings = new FailoverTimings(i.former(), target.pod(), i.epoch(), i.reason(), i.message(), i.faultObservedAt(), i.decidedAt(),
          now, null, null, o.policy().recoveryBudget(), updatesLost(o, i, former, target, ta), i.planned());
      UnitState next = s.withPrimary(target.pod()).withStandby(null).withEpoch(i.epoch())
          .withFailovers(i.planned() ? s.failovers() : s.failovers() + 1)
          .withIntent(i.switched(now)).withLastFailover(timings)
          .withPrimaryRestartBaseline(target.app() != null ? target.app().restartCount() : null);
      return new Decision(next, Phase.FailingOver, Conditions.failingOver(i), actions, false, Duration.ZERO);
    }

    // Step 2 (traffic is on the target): remove the former primary, schedule a new standby.
    UnitState next = s;
    Duration recheck = null;
    boolean formerLeaving = true;
    if (former != null) {
      // On a node that is down, wait until the former primary is fenced and force its deletion; on a
      // suspected node that still looks Ready, delete it gracefully now and force it later if it hangs.
      boolean nodeDown = nodeDown(o, former);
      boolean force = mayHang(o, s, former) && fenced(o, s, former);
      if (!former.deleting()) {
        actions.add(new DeleteMember(former.pod(), force));
        actions.add(new Emit(EventReason.FormerPrimaryDeleted, "deleting former primary " + former.pod()
            + (nodeDown ? (force ? " (forced: its node is unreachable and it is fenced)" : " (its node is unreachable: forced deletion once it is fenced)") : ""), false));
      } else if (force) {
        actions.add(new DeleteMember(former.pod(), true));
      }
      formerLeaving = !nodeDown || force;
      if (!formerLeaving) {
        Instant at = i.serviceSwitchedAt().plus(o.policy().thresholds().leaseDuration());
        recheck = Duration.between(now, at).isNegative() ? Duration.ZERO : Duration.between(now, at);
      }
    }
    // With failback the new standby waits for the former primary to leave the home node (see steady()).
    boolean homeTaken = s.standby() == null && former != null && Objects.equals(former.node(), homeToPrefer(o, s, avoidForStandby(o, s, suspectNode(o, i))));
    if ((s.standby() == null && !homeTaken) || (s.standby() != null && o.member(s.standby()).isEmpty())) {
      String name = s.standby() != null ? s.standby() : o.policy().unit() + "-" + nextOrdinal(o);
      actions.add(createStandby(o, s, name, suspectNode(o, i)));
      actions.add(new Emit(EventReason.StandbyScheduled, "scheduling new standby " + name + " on a node other than " + (target != null ? target.node() : "the primary's"), false));
      next = next.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    }
    if (target != null && !target.assigned(Role.Primary, i.epoch(), next.standby())) actions.add(new Assign(target.pod(), Role.Primary, i.epoch(), next.standby()));
    if (formerLeaving) {
      FailoverTimings t = next.lastFailover();
      String summary = (i.planned() ? "switchover" : "failover") + " from " + i.former() + " to " + i.target() + " done"
          + (t != null && t.trafficSwitched() != null ? ": traffic moved " + t.trafficSwitched().toMillis() + " ms after the fault (recovery budget "
          + o.policy().recoveryBudget().toMillis() + " ms)" : "");
      actions.add(new Emit(i.planned() ? EventReason.SwitchoverCompleted : EventReason.FailoverCompleted, summary, false));
      next = next.withIntent(null);
    }
    next = recordTimings(o, next, Phase.Synchronizing, actions);
    return new Decision(next, formerLeaving ? Phase.Synchronizing : Phase.FailingOver,
        formerLeaving ? Conditions.steady(target, o, false, "StandbyStarting", next.standby() != null ? "new standby " + next.standby() + " is being created"
            : "waiting for " + i.former() + " to leave node " + s.homeNode() + " before creating the standby there (failback)") : Conditions.failingOver(i),
        actions, creates(actions), recheck);
  }

  /**
   * The failover (or switchover) cannot complete before traffic moved. Once anything was sent at the intent's
   * epoch, that epoch is spent and everyone moves past it (a member may hold a Primary assignment at it,
   * and sidecars ignore assignments at older epochs).
   */
  private Decision abort(Observation o, String why) {
    UnitState s = o.state();
    Intent i = s.intent();
    boolean sent = (o.lease() != null && o.lease().epoch() >= i.epoch())
        || o.members().values().stream().anyMatch(m -> m.assignedEpoch() >= i.epoch());
    UnitState next = s.withIntent(null).withEpoch(sent ? i.epoch() + 1 : s.epoch());
    List<Action> actions = new ArrayList<>();
    o.member(i.target()).filter(t -> sent).ifPresent(t -> actions.add(new Assign(t.pod(), Role.Standby, next.epoch(), i.former())));
    actions.add(new Emit(EventReason.FailoverAborted, (i.planned() ? "switchover" : "failover") + " to " + i.target() + " aborted before traffic moved: " + why, true));
    if (i.planned()) {
      // The primary is healthy: nothing is lost by staying on it.
      Decision d = steady(new Observation(o.policy(), next, o.members(), o.nodes(), o.lease(), o.service(), o.now()));
      actions.addAll(d.actions());
      return new Decision(d.state(), d.phase(), d.conditions(), actions, true, d.recheckAfter());
    }
    return new Decision(next, Phase.Degraded, Conditions.degraded("FailoverTargetLost",
        "the primary failed and the standby chosen to replace it cannot take over: " + why), actions, true, Duration.ZERO);
  }

  /**
   * Acknowledged updates the new primary lacks: none but in Asynchronous mode, where it is the lag the target
   * reported when it was chosen, else what the former primary last held beyond it (by durable sequence; the
   * lag once the target reports as primary no longer says it), or the target's reported lag.
   */
  private static Long updatesLost(Observation o, Intent i, Member former, Member target, StandbyAssessment ta) {
    if (o.policy().mode() != UnitPolicy.Mode.Asynchronous) return 0L;
    if (i.lagAtDecision() != null) return i.lagAtDecision();
    if (former != null && former.report() != null && target.report() != null) {
      return Math.max(0, former.report().lastDurableSeq() - target.report().lastDurableSeq());
    }
    return ta.lag();
  }

  /** Lease and assignment writes the observation does not show yet (re-sending them would reset the lease's renewals). */
  private static List<Action> notYetInPlace(Observation o, List<Action> actions) {
    return actions.stream().filter(a -> switch (a) {
      case HoldLease h -> o.lease() == null || !h.holder().equals(o.lease().holder()) || h.epoch() != o.lease().epoch();
      case Assign as -> o.member(as.pod()).map(m -> !m.assigned(as.role(), as.epoch(), as.peer())).orElse(false);
      default -> true;
    }).toList();
  }

  /**
   * The former primary's node when it is unhealthy or gone: keep the new standby off it. A node that still
   * looks Ready is not listed even when the failover suspected it: the avoidance may be rendered required,
   * and a node that never turns NotReady (a short partition) would then keep a two-node unit unprotected for
   * good. While the former primary's pod is there, the pod anti-affinity keeps the standby off it anyway.
   */
  private static Set<String> suspectNode(Observation o, Intent i) {
    if (i.formerNode() == null || i.formerNode().isEmpty()) return Set.of();
    return o.node(i.formerNode()).map(n -> !n.healthy()).orElse(true) ? Set.of(i.formerNode()) : Set.of();
  }

  // ---------------------------------------------------------------- timings of the last failover

  private static UnitState recordTimings(Observation o, UnitState s, Phase phase, List<Action> actions) {
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
