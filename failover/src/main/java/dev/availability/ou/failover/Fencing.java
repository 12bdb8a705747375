package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberRemoval.removeExtraMembers;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Members the user fenced ({@link #ANNOTATION}). A fenced member serves nothing: it is assigned {@link Role#Fenced}
 * (its sidecar refuses writes, stops streaming and acknowledging, and is not ready), the Service never selects it, it is
 * never promoted nor chosen as a target, and it is neither deleted nor replaced (the user keeps it for inspection).
 *
 * <ul>
 *   <li>A fenced primary fails over to an in-sync standby (an unplanned-style failover with reason {@code Fenced});
 *       with none in sync the unit is held without a serving primary: the primary fenced at a new epoch, the Service
 *       selecting no pod ({@link ServiceView#NOBODY}), the unit Degraded until it is unfenced.</li>
 *   <li>Unfenced while held, it serves again at that epoch, one it never served at: traffic returns to it once its
 *       sidecar confirms it serves ({@link #resuming}).</li>
 *   <li>A fenced standby keeps its place in the status (nothing is streamed to it, no replacement is created): the unit
 *       is unprotected until it is unfenced, when it rejoins as standby and catches up.</li>
 * </ul>
 */
final class Fencing {
  static final String ANNOTATION = "ou.availability.dev/fenced-members";

  private final CandidateRanking ranking;

  Fencing(CandidateRanking ranking) {
    this.ranking = ranking;
  }

  /** Whether the user fenced {@code pod}. */
  static boolean asked(Observation o, String pod) {
    return pod != null && o.policy().requests().fenced().contains(pod);
  }

  /** The peer the primary streams to: none while its standby is fenced. */
  static String peerOf(Observation o, String standby) {
    return asked(o, standby) ? null : standby;
  }

  // ---------------------------------------------------------------- the primary fenced

  /** The primary is fenced: fail over to an in-sync standby, or hold the unit without a serving primary. */
  Decision primaryFenced(Observation o) {
    CandidateRanking.Choice choice = ranking.choose(o);
    return choice.found() ? failOver(o, choice) : hold(o, choice);
  }

  private static Decision failOver(Observation o, CandidateRanking.Choice choice) {
    UnitState s = o.state();
    Member former = o.member(s.primary()).orElse(null);
    Member target = choice.member();
    String what = "primary " + s.primary() + " is fenced (" + ANNOTATION + ")";
    // Taken as a fault would be (the standby must be promotable, it is counted as a failover): the
    // user took the primary out of service, it did not hand over.
    Intent intent = new Intent(
        target.pod(),
        s.primary(),
        former != null ? former.node() : null,
        s.epoch() + 1,
        PromotionReason.Chosen.Fenced.name(),
        what,
        o.now(),
        o.now(),
        null,
        PromotionKind.Failover,
        choice.assessment().lag(),
        null);
    List<Action> actions = List.of(new Emit(
        EventReason.FailoverStarted,
        what + "; promoting standby " + target.pod() + " at epoch " + intent.epoch() + " ("
            + s.primary() + " is kept, fenced, for inspection)",
        true));
    return new Decision(
        s.withIntent(intent),
        Phase.FailingOver,
        Conditions.failingOver(intent),
        actions,
        true,
        Duration.ZERO);
  }

  /**
   * No standby can take over: fence the primary at a new epoch (it refuses the old one, and serves again, once
   * unfenced, at an epoch it never served at) and point the Service at no pod. Nothing else changes until it is
   * unfenced: no standby is created or replaced (none could catch up from a fenced primary).
   */
  private static Decision hold(Observation o, CandidateRanking.Choice choice) {
    UnitState s = o.state();
    Member p = o.member(s.primary()).orElse(null);
    List<Action> actions = new ArrayList<>();
    UnitState next = s;
    boolean newly = p != null && p.assignedRole() != Role.Fenced;
    if (p != null && !p.deleting() && (newly || p.assignedEpoch() < s.epoch())) {
      // Past the epoch it was assigned as primary, once: a status already past it (written first,
      // the pod's new assignment not yet seen) needs no second step.
      long epoch = newly
          ? Math.max(s.epoch(), p.assignedEpoch() + 1)
          : Math.max(s.epoch(), p.assignedEpoch());
      next = s.withEpoch(epoch);
      actions.add(new Assign(p.pod(), Role.Fenced, epoch, null));
    }
    if (!ServiceView.NOBODY.equals(o.service().selectedMember()))
      actions.add(new PointService(ServiceView.NOBODY));
    Member sb = o.member(s.standby()).orElse(null);
    if (sb != null
        && !sb.deleting()
        && !asked(o, sb.pod())
        && !sb.assigned(Role.Standby, next.epoch(), s.primary())) {
      actions.add(new Assign(sb.pod(), Role.Standby, next.epoch(), s.primary()));
    }
    removeExtraMembers(o, next, actions);
    String message = heldMessage(o, next, choice);
    if (newly) actions.add(new Emit(EventReason.MemberFenced, message, true));
    return new Decision(
        next,
        Phase.Degraded,
        Conditions.degraded(ConditionReason.PrimaryFenced, message),
        actions,
        !next.equals(s),
        null);
  }

  static String heldMessage(Observation o, UnitState s, CandidateRanking.Choice choice) {
    return "primary " + s.primary() + " is fenced (" + ANNOTATION
        + ") and no standby can take over ("
        + (choice == null ? "none is in sync" : choice.blockedMessage())
        + "): the unit has no serving primary and Service "
        + o.policy().unit() + " selects no pod. Remove " + s.primary() + " from " + ANNOTATION
        + " to let it serve again (at epoch "
        + s.epoch() + ")";
  }

  // ---------------------------------------------------------------- unfenced after a hold

  /**
   * The primary was unfenced while the unit was held without one (the Service still selects no pod): it serves again
   * at the current epoch, and traffic returns to it once its sidecar says it serves and its pod is ready. Until then
   * its readiness and lease are not held against it (they lapsed while it was fenced); a pod that is gone, stopped
   * or being deleted is left to the usual failure handling (null).
   */
  Decision resuming(Observation o) {
    UnitState s = o.state();
    if (!ServiceView.NOBODY.equals(o.service().selectedMember()) || asked(o, s.primary()))
      return null;
    Member p = o.member(s.primary()).orElse(null);
    if (p == null || p.deleting() || p.terminated()) return null;
    List<Action> actions = new ArrayList<>();
    PrimaryUpkeep.holdLease(o, s, p, actions);
    String peer = peerOf(o, s.standby());
    if (!p.assigned(Role.Primary, s.epoch(), peer))
      actions.add(new Assign(p.pod(), Role.Primary, s.epoch(), peer));
    Member sb = o.member(s.standby()).orElse(null);
    if (sb != null
        && peer != null
        && !sb.deleting()
        && !sb.assigned(Role.Standby, s.epoch(), p.pod())) {
      actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
    }
    if (p.assignedRole() == Role.Fenced) {
      actions.add(new Emit(
          EventReason.MemberUnfenced,
          "unfenced primary " + p.pod() + ": it serves again at epoch " + s.epoch()
              + " once its sidecar confirms; Service " + o.policy().unit() + " selects it then",
          false));
    }
    Member.Report r = p.report();
    boolean serves = r != null && r.role() == Role.Primary && r.epoch() >= s.epoch() && p.ready();
    if (serves) {
      actions.add(new PointService(p.pod()));
      actions.add(new Emit(
          EventReason.TrafficSwitched,
          "Service " + o.policy().unit() + " selects unfenced primary " + p.pod() + " again (epoch "
              + s.epoch() + ")",
          false));
    }
    String message = "primary " + p.pod() + " was unfenced: waiting for it to serve at epoch "
        + s.epoch() + " (its sidecar reports "
        + (r == null ? "nothing yet" : r.role() + " at epoch " + r.epoch())
        + (p.ready() ? "" : ", its pod is not ready") + ")";
    List<ConditionView> conditions = serves
        ? Conditions.steady(
            p,
            o,
            false,
            ConditionReason.StandbyStarting,
            "primary " + p.pod() + " serves again; standby " + s.standby() + " catches up")
        : Conditions.degraded(ConditionReason.PrimaryResuming, message);
    return new Decision(
        s,
        serves ? Phase.Synchronizing : Phase.Degraded,
        conditions,
        actions,
        false,
        serves ? null : o.policy().thresholds().renewInterval());
  }

  // ---------------------------------------------------------------- whatever the decision, a
  // fenced member stays fenced

  /**
   * The decision with every fenced member held fenced, whichever path took it: no assignment but Fenced, never
   * deleted, never given the lease nor selected by the Service, and assigned Fenced (at the decision's epoch) when it is not yet. The decisions themselves keep a fenced
   * member out of the candidates and the Service; this is the one place that makes sure nothing else reaches it.
   * The primary of the status is left to {@link #primaryFenced} (it is fenced at a new epoch, by the failover or the
   * hold, so that it never serves again at an epoch it served at). An unfenced standby is assigned Standby again.
   */
  static Decision enforce(Observation o, Decision d) {
    var fenced = o.policy().requests().fenced();
    UnitState s = d.state();
    Member sb = o.member(s.standby()).orElse(null);
    boolean unfencedStandby = sb != null
        && sb.assignedRole() == Role.Fenced
        && !fenced.contains(sb.pod())
        && !sb.deleting()
        && s.primary() != null;
    if (fenced.isEmpty() && !unfencedStandby) return d;
    List<Action> actions = new ArrayList<>();
    for (Action a : d.actions()) {
      if (a instanceof PointService ps && fenced.contains(ps.pod())) {
        // (a path that does not know the primary is fenced, recreating a unit whose members are all
        // gone, say)
        if (!ServiceView.NOBODY.equals(o.service().selectedMember()))
          actions.add(new PointService(ServiceView.NOBODY));
        continue;
      }
      boolean reachesFenced = switch (a) {
        case HoldLease h -> fenced.contains(h.holder());
        case Assign as -> fenced.contains(as.pod()) && as.role() != Role.Fenced;
        // (a member someone else is deleting may still be forced out once its node is gone)
        case Action.DeleteMember del ->
          fenced.contains(del.pod())
              && !o.member(del.pod()).map(Member::deleting).orElse(false);
        case Action.CreateMember c ->
          fenced.contains(c.pod()); // a fenced name whose pod is gone gets none until unfenced
        default -> false;
      };
      if (!reachesFenced) actions.add(a);
    }
    for (String pod : fenced) {
      Member m = o.members().get(pod);
      if (m == null || m.deleting() || pod.equals(o.state().primary())) continue;
      boolean sent =
          actions.stream().anyMatch(a -> a instanceof Assign as && as.pod().equals(pod));
      if (sent || (m.assignedRole() == Role.Fenced && m.assignedEpoch() >= s.epoch())) continue;
      actions.add(new Assign(pod, Role.Fenced, Math.max(s.epoch(), m.assignedEpoch()), null));
      if (m.assignedRole() != Role.Fenced)
        actions.add(new Emit(EventReason.MemberFenced, fencedMessage(o, s, pod), true));
    }
    // Unfenced, the standby rejoins whatever the primary's state (the steady step does so too; a
    // failed primary's does not).
    if (unfencedStandby
        && actions.stream().noneMatch(a -> a instanceof Assign as && as.pod().equals(sb.pod()))) {
      actions.add(
          new Assign(sb.pod(), Role.Standby, Math.max(s.epoch(), sb.assignedEpoch()), s.primary()));
      actions.add(new Emit(
          EventReason.MemberUnfenced,
          "unfenced standby " + sb.pod() + ": it rejoins as standby of " + s.primary(),
          false));
    }
    return actions.equals(d.actions())
        ? d
        : new Decision(
            s, d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
  }

  private static String fencedMessage(Observation o, UnitState s, String pod) {
    if (pod.equals(s.standby())) return standbyMessage(o, pod);
    return "fenced member " + pod + " (" + ANNOTATION
        + "): it serves nothing and is kept for inspection (it is removed once unfenced:"
        + " the unit does not need it)";
  }

  static String standbyMessage(Observation o, String standby) {
    boolean needsStandby = o.policy().mode() != UnitPolicy.Mode.Asynchronous;
    return "standby " + standby + " is fenced (" + ANNOTATION
        + "): it streams and serves nothing and is not replaced (kept for inspection), "
        + "so the unit is unprotected"
        + (needsStandby
            ? " (with dataDurability Required no write is acknowledged without a standby)"
            : "")
        + ". Remove " + standby + " from " + ANNOTATION + " to let it rejoin as standby";
  }
}
