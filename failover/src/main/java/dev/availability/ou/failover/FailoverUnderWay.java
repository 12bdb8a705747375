package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;
import static dev.availability.ou.failover.MemberRemoval.fenced;
import static dev.availability.ou.failover.MemberRemoval.mayHang;
import static dev.availability.ou.failover.MemberRemoval.nodeDown;
import static dev.availability.ou.failover.StandbyPlacement.avoidForStandby;
import static dev.availability.ou.failover.StandbyPlacement.createStandby;
import static dev.availability.ou.failover.StandbyPlacement.homeToPrefer;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A failover under way (the unit's status holds an {@link Intent}): first lease, fence and promotion, and once the
 * target's sidecar took it, the Service switch; then the former primary removed and a new standby scheduled.
 * Or the failover is aborted before traffic moved.
 */
final class FailoverUnderWay {
  /** The steady-state step, where an aborted switchover resumes (the primary is healthy). */
  private final SteadyState steady;

  FailoverUnderWay(SteadyState steady) {
    this.steady = steady;
  }

  Decision continueFailover(Observation o) {
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
      if (Fencing.asked(o, i.target())) return abort(o, "standby " + i.target() + " was fenced (" + Fencing.ANNOTATION + ")");
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
          now, null, null, o.policy().recoveryBudget(), updatesLost(o, i, former, target, ta), i.kind());
      UnitState next = s.withPrimary(target.pod()).withStandby(null).withEpoch(i.epoch())
          .counted(i.kind())
          .withIntent(i.switched(now)).withRecorded(timings)
          .withPrimaryRestartBaseline(target.app() != null ? target.app().restartCount() : null);
      return new Decision(next, Phase.FailingOver, Conditions.failingOver(i), actions, false, Duration.ZERO);
    }

    // Step 2 (traffic is on the target): remove the former primary, schedule a new standby.
    UnitState next = s;
    Duration recheck = null;
    boolean formerLeaving = true;
    // A fenced former primary is kept in the standby's place (Fencing): not deleted, not replaced, not streamed to.
    boolean keepFenced = former != null && !former.deleting() && s.standby() == null && Fencing.asked(o, former.pod());
    if (keepFenced) next = next.withStandby(former.pod());
    // Lost with its node, the former primary is kept in case it comes back before the new standby is in sync
    // (MemberRejoin); fenced by epoch, it cannot acknowledge. The new standby does not wait for it.
    boolean kept = former != null && !keepFenced && MemberRejoin.keep(o, s, former);
    if (former != null && !keepFenced && !kept) {
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
    // A standby readied before a drain's switchover (NodeMaintenance) follows it: the new primary streams to it at once.
    Member successor = s.standby() == null && i.planned() ? NodeMaintenance.successor(o, s, i.target()) : null;
    if (successor != null) {
      next = next.withStandby(successor.pod());
      actions.add(new Assign(successor.pod(), Role.Standby, i.epoch(), i.target()));
    }
    // With failback the new standby waits for the former primary to leave the home node (see StandbyLifecycle).
    boolean homeTaken = next.standby() == null && former != null && !kept && Objects.equals(former.node(), homeToPrefer(o, s, avoidForStandby(o, s, suspectNode(o, i))));
    if (!keepFenced && ((next.standby() == null && !homeTaken) || (next.standby() != null && o.member(next.standby()).isEmpty()))) {
      String name = next.standby() != null ? next.standby() : o.policy().unit() + "-" + nextOrdinal(o);
      actions.add(createStandby(o, s, name, suspectNode(o, i)));
      actions.add(new Emit(EventReason.StandbyScheduled, "scheduling new standby " + name + " on a node other than " + (target != null ? target.node() : "the primary's"), false));
      next = next.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    }
    String peer = Fencing.peerOf(o, next.standby());
    if (target != null && !target.assigned(Role.Primary, i.epoch(), peer)) actions.add(new Assign(target.pod(), Role.Primary, i.epoch(), peer));
    if (formerLeaving) {
      FailoverTimings t = next.lastFailover();
      String from = switch (i.kind()) {
        case Failover -> "fault";
        case Switchover -> "decision";
        case Drill -> "request";
      };
      String summary = what(i) + " from " + i.former() + " to " + i.target() + " done"
          + (t != null && t.trafficSwitched() != null ? ": traffic moved " + t.trafficSwitched().toMillis() + " ms after the " + from
          + " (recovery budget " + o.policy().recoveryBudget().toMillis() + " ms)"
          + (i.kind() == PromotionKind.Drill && t.updatesLost() != null ? ", " + t.updatesLost() + " updates lost" : "") : "");
      actions.add(new Emit(switch (i.kind()) {
        case Failover -> EventReason.FailoverCompleted;
        case Switchover -> EventReason.SwitchoverCompleted;
        case Drill -> EventReason.DrillCompleted;
      }, summary, false));
      next = next.withIntent(null);
    }
    next = TimingsProgress.record(o, next, Phase.Synchronizing, actions);
    if (keepFenced) {
      return new Decision(next, Phase.Unprotected, Conditions.steady(target, o, false, "StandbyFenced", Fencing.standbyMessage(o, former.pod())),
          actions, false, recheck);
    }
    return new Decision(next, formerLeaving ? Phase.Synchronizing : Phase.FailingOver,
        formerLeaving ? Conditions.steady(target, o, false, "StandbyStarting", next.standby() != null ? "new standby " + next.standby() + " is being created"
            : "waiting for " + i.former() + " to leave node " + s.homeNode() + " before creating the standby there (failback)") : Conditions.failingOver(i),
        actions, Decision.createsMember(actions), recheck);
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
    actions.add(new Emit(EventReason.FailoverAborted, what(i) + " to " + i.target() + " aborted before traffic moved: " + why, true));
    if (i.kind() != PromotionKind.Failover) {
      // The primary was healthy (a switchover, a drill): nothing is lost by staying on it.
      Decision d = steady.decide(o.withState(next));
      actions.addAll(d.actions());
      return new Decision(d.state(), d.phase(), d.conditions(), actions, true, d.recheckAfter());
    }
    return new Decision(next, Phase.Degraded, Conditions.degraded("FailoverTargetLost",
        "the primary failed and the standby chosen to replace it cannot take over: " + why), actions, true, Duration.ZERO);
  }

  static String what(Intent i) {
    return switch (i.kind()) {
      case Failover -> "failover";
      case Switchover -> "switchover";
      case Drill -> "drill";
    };
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
}
