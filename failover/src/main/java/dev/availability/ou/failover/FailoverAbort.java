package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.FailoverUnderWay.Outcome;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A failover (or switchover, or drill) that cannot complete before traffic moved. Once anything was sent at the
 * intent's epoch, that epoch is spent and everyone moves past it (a member may hold a Primary assignment at it, and
 * sidecars ignore assignments at older epochs). Pure.
 */
final class FailoverAbort {
  private FailoverAbort() {}

  /**
   * Calls off the promotion under way, saying {@code why}. A failover leaves the unit Degraded (its primary failed);
   * a switchover or a drill is called off and the steady step goes on (the primary was healthy: nothing is lost by
   * staying on it).
   */
  static Outcome abort(Observation o, String why) {
    UnitState s = o.state();
    Intent i = s.intent();
    // (the successor made at the decision, EarlySuccessor, is created at the new epoch but as
    // nobody's
    // primary: it spends nothing, and it goes with the failover)
    boolean sent = (o.lease() != null && o.lease().epoch() >= i.epoch())
        || o.members().values().stream()
            .anyMatch(m -> m.assignedEpoch() >= i.epoch() && !m.pod().equals(i.successor()));
    UnitState next = s.withIntent(null).withEpoch(sent ? i.epoch() + 1 : s.epoch());
    List<Action> actions = new ArrayList<>();
    o.member(i.target())
        .filter(t -> sent)
        .ifPresent(t -> actions.add(new Assign(t.pod(), Role.Standby, next.epoch(), i.former())));
    o.member(i.successor())
        .filter(m -> !m.deleting())
        .ifPresent(m -> actions.add(new Action.DeleteMember(m.pod(), false)));
    actions.add(new Emit(
        EventReason.FailoverAborted,
        FailoverUnderWay.what(i) + " to " + i.target() + " aborted before traffic moved: " + why,
        true));
    if (i.kind() != PromotionKind.Failover) return new Outcome.CalledOff(next, actions);
    return new Outcome.Decided(new Decision(
        next,
        Phase.Degraded,
        Conditions.degraded(
            ConditionReason.FailoverTargetLost,
            "the primary failed and the standby chosen to replace it cannot take over: " + why),
        actions,
        true,
        Duration.ZERO));
  }
}
