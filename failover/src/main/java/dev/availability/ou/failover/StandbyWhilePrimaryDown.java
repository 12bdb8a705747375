package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;
import static dev.availability.ou.failover.MemberRemoval.removeExtraMembers;
import static dev.availability.ou.failover.StandbyPlacement.createStandby;
import static dev.availability.ou.failover.StandbyPlacement.nodeBackSince;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The standby of a primary that failed, nobody promoted, but may recover: one that can start is there for when it
 * does. Pure.
 */
final class StandbyWhilePrimaryDown {
  private StandbyWhilePrimaryDown() {}

  /**
   * Decision {@code d} (the unit degraded) with a standby that can start: a member lost with its node that is back
   * rejoins; a standby pod that is gone, or never ran and cannot be scheduled while a node it had to avoid is back, is
   * created (never one that ran replaced: it may come back in sync). It catches up from the primary's sidecar if that
   * still streams, and is promoted once in sync; otherwise it protects the primary when it recovers.
   */
  static Decision ensure(Observation o, Decision d) {
    // A pooled unit's standby is the pool's: the pool makes it (docs/pools.md).
    if (o.pooled()) {
      List<Action> actions = new ArrayList<>(d.actions());
      removeExtraMembers(o, d.state(), actions);
      return new Decision(
          d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
    }
    UnitState s = d.state();
    Member sb = o.member(s.standby()).orElse(null);
    Member p = o.member(s.primary()).orElse(null);
    Member returning = MemberRejoin.returning(o, s);
    List<Action> actions = new ArrayList<>(d.actions());
    if (returning != null) {
      // A member lost with its node is back: it protects the primary when that recovers (and
      // catches up from its log).
      UnitState next = MemberRejoin.rejoin(o, s, returning, sb, actions);
      actions.add(new Assign(returning.pod(), Role.Standby, next.epoch(), next.primary()));
      removeExtraMembers(o, next, actions);
      return new Decision(next, d.phase(), d.conditions(), actions, true, d.recheckAfter());
    }
    removeExtraMembers(
        o, s, actions); // (members kept in case they came back, once they no longer are)
    String back =
        sb != null && sb.unschedulable() && sb.report() == null ? nodeBackSince(o, p, sb) : null;
    boolean stuck = back != null && !MemberRejoin.awaitedOn(o, s, back);
    if (sb != null && !stuck)
      return new Decision(
          d.state(), d.phase(), d.conditions(), actions, d.persistStateFirst(), d.recheckAfter());
    String name =
        s.standby() != null && !stuck ? s.standby() : o.policy().unit() + "-" + nextOrdinal(o);
    if (stuck) actions.add(new DeleteMember(sb.pod(), false));
    actions.add(createStandby(o, s, name, Set.of()));
    actions.add(new Emit(
        EventReason.StandbyScheduled,
        "scheduling standby " + name + " while primary " + s.primary() + " is down",
        false));
    UnitState next =
        s.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    return new Decision(next, d.phase(), d.conditions(), actions, true, d.recheckAfter());
  }
}
