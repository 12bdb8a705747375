package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.FailoverUnderWay.Outcome;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The first step of a promotion under way (the intent is durable, traffic is still on the former primary): lease,
 * fence and promotion, and once the target's sidecar took it, the Service switch. Called off ({@link FailoverAbort})
 * when the target is no longer fit to take it. Pure.
 */
final class FailoverPromotion {
  private FailoverPromotion() {}

  static Outcome promote(Observation o) {
    UnitState s = o.state();
    Intent i = s.intent();
    Member target = o.member(i.target()).orElse(null);
    Member former = o.member(i.former()).orElse(null);
    Instant now = o.now();
    List<Action> actions = new ArrayList<>();
    StandbyAssessment ta = target == null ? null : StandbyAssessment.of(target, o);
    // Until its sidecar has taken the promotion, the target must still be fit to take it.
    boolean took = target != null
        && target.report() != null
        && target.report().role() == Role.Primary
        && target.report().epoch() >= i.epoch();
    boolean fit = ta != null
        && !ta.failed()
        && (took || (i.planned() ? ta.inSync() : CandidateRanking.promotable(ta, o.policy())));
    if (Fencing.asked(o, i.target()))
      return FailoverAbort.abort(
          o, "standby " + i.target() + " was fenced (" + Fencing.ANNOTATION + ")");
    if (!fit) {
      String why = target == null
          ? "standby " + i.target() + " is gone"
          : ta.failed() ? ta.why() : ta.why() + ", no longer promotable";
      return FailoverAbort.abort(o, why);
    }
    Duration lease = o.policy().thresholds().leaseDuration();
    if (o.policy().mode() == UnitPolicy.Mode.Asynchronous && !took) {
      // Asynchronous: the former primary acknowledges alone, so it is fenced, and silent for
      // certain, first.
      Instant silentFrom = FormerPrimarySilence.silentFrom(o, i, former);
      if (silentFrom != null && now.isBefore(silentFrom)) {
        List<Action> fence = former == null
            ? List.of()
            : List.of(new Assign(former.pod(), Role.Fenced, i.epoch(), null));
        Duration poll = o.policy().thresholds().renewInterval().dividedBy(2);
        Duration wait = Duration.between(now, silentFrom);
        return decided(new Decision(
            s,
            Phase.FailingOver,
            Conditions.failingOver(i),
            notYetInPlace(o, fence),
            false,
            wait.compareTo(poll) < 0 ? wait : poll));
      }
    }
    actions.add(new HoldLease(target.pod(), i.epoch(), lease));
    // Fence even a former primary that is being deleted: it may acknowledge writes until it is
    // gone. One the failover will keep as the standby (its pod going, FormerDeparting; its
    // application crashed, FormerAsStandby) is deposed by that assignment instead, and the target
    // streams to it from its promotion on: a Synchronous primary with dataDurability Required
    // acknowledges as soon as that sidecar, which holds the log, is in sync, not a reconcile later.
    boolean keepFormer = former != null
        && (FormerDeparting.keep(o, i, former) || FormerAsStandby.keep(o, i, former));
    if (former != null)
      actions.add(
          keepFormer
              ? new Assign(former.pod(), Role.Standby, i.epoch(), i.target())
              : new Assign(former.pod(), Role.Fenced, i.epoch(), null));
    // Else its peer is the standby made when the failover was decided (EarlySuccessor), if any: the
    // target streams to it as soon as its sidecar runs.
    String peer = keepFormer ? former.pod() : EarlySuccessor.peer(o, i);
    actions.add(new Assign(target.pod(), Role.Primary, i.epoch(), peer));
    if (!keepFormer) EarlySuccessor.create(o, i, target, actions);
    // A target whose sidecar reports must confirm the promotion before traffic moves to it: a
    // standby that died with its primary (both nodes lost) looks healthy to the API server for a
    // while.
    if (target.report() != null && !took) {
      // (whatever its peer: the former kept, the successor, or none)
      boolean asked = target.assignedRole() == Role.Primary && target.assignedEpoch() == i.epoch();
      // The deadline counts from the first time the promotion was seen sent (persisted), never from
      // the decision alone: an operator that restarts mid-way must not abort before the target
      // could answer.
      Instant askedAt = i.promotionAskedAt() != null ? i.promotionAskedAt() : asked ? now : null;
      Instant deadline = askedAt == null ? null : askedAt.plus(lease);
      if (deadline == null || now.isBefore(deadline)) {
        Duration poll = o.policy().thresholds().renewInterval().dividedBy(2);
        Duration wait = deadline == null ? poll : Duration.between(now, deadline);
        UnitState waiting =
            askedAt != null && i.promotionAskedAt() == null ? s.withIntent(i.asked(askedAt)) : s;
        return decided(new Decision(
            waiting,
            Phase.FailingOver,
            Conditions.failingOver(i),
            notYetInPlace(o, actions),
            false,
            wait.compareTo(poll) < 0 ? wait : poll));
      }
      return FailoverAbort.abort(
          o,
          "standby " + target.pod() + " did not confirm its promotion within " + lease.toMillis()
              + " ms (its sidecar is silent)");
    }
    actions = new ArrayList<>(notYetInPlace(o, actions));
    actions.add(new PointService(target.pod()));
    actions.add(new Emit(
        EventReason.PrimaryFenced,
        "fenced " + i.former() + ": out of the Service, epochs before " + i.epoch() + " refused",
        false));
    actions.add(new Emit(
        EventReason.StandbyPromoted,
        "promoted " + target.pod() + " to primary at epoch " + i.epoch(),
        false));
    actions.add(new Emit(
        EventReason.TrafficSwitched,
        "Service " + o.policy().unit() + " now selects " + target.pod(),
        false));
    FailoverTimings timings = new FailoverTimings(
        i.former(),
        target.pod(),
        i.epoch(),
        i.reason(),
        i.message(),
        i.faultObservedAt(),
        i.decidedAt(),
        now,
        null,
        null,
        o.policy().recoveryBudget(),
        updatesLost(o, i, former, target, ta),
        i.kind());
    UnitState next = s.withPrimary(target.pod())
        .withStandby(null)
        .withEpoch(i.epoch())
        .counted(i.kind())
        .withIntent(i.switched(now))
        .withRecorded(timings)
        .withPrimaryRestartBaseline(target.app() != null ? target.app().restartCount() : null);
    return decided(new Decision(
        next, Phase.FailingOver, Conditions.failingOver(i), actions, false, Duration.ZERO));
  }

  private static Outcome decided(Decision d) {
    return new Outcome.Decided(d);
  }

  /**
   * Acknowledged updates the new primary lacks: none but in Asynchronous mode, where it is the lag the target
   * reported when it was chosen, else what the former primary last held beyond it (by durable sequence; the
   * lag once the target reports as primary no longer says it), or the target's reported lag.
   */
  private static Long updatesLost(
      Observation o, Intent i, Member former, Member target, StandbyAssessment ta) {
    if (o.policy().mode() != UnitPolicy.Mode.Asynchronous) return 0L;
    if (i.lagAtDecision() != null) return i.lagAtDecision();
    if (former != null && former.report() != null && target.report() != null) {
      return Math.max(0, former.report().lastDurableSeq() - target.report().lastDurableSeq());
    }
    return ta.lag();
  }

  /** Lease and assignment writes the observation does not show yet (re-sending them would reset the lease's renewals). */
  private static List<Action> notYetInPlace(Observation o, List<Action> actions) {
    return actions.stream()
        .filter(a -> switch (a) {
          case HoldLease h ->
            o.lease() == null
                || !h.holder().equals(o.lease().holder())
                || h.epoch() != o.lease().epoch();
          case Assign as ->
            o.member(as.pod())
                .map(m -> !m.assigned(as.role(), as.epoch(), as.peer()))
                .orElse(false);
          default -> true;
        })
        .toList();
  }
}
