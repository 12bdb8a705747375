package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;

import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A unit whose status names no primary, or whose members are all gone: the members the pods say exist are
 * adopted ({@link #adopt}), or the primary and the standby are created ({@link #create}). Pure.
 */
final class Bootstrap {
  private Bootstrap() {}

  /** Whether the unit needs this step: no primary in the status, or no member at all. */
  static boolean needed(Observation o) {
    return o.state().primary() == null || o.members().isEmpty();
  }

  /**
   * The status was lost (or never written) but the pods say who is who: the state that adopts them (the newest
   * primary assignment, and its standby), not recreating anything. Null when there is nobody to adopt.
   */
  static UnitState adopt(Observation o) {
    UnitState s = o.state();
    if (s.primary() != null) return null;
    Member adopted = o.members().values().stream()
        .filter(m -> m.assignedRole() == Role.Primary && !m.deleting())
        .max(Comparator.comparingLong(Member::assignedEpoch))
        .orElse(null);
    if (adopted == null) return null;
    String standby = o.pooled()
        ? o.pool().standby()
        : o.members().values().stream()
            .filter(m -> m.assignedRole() == Role.Standby
                && m.assignedEpoch() == adopted.assignedEpoch()
                && !m.deleting())
            .map(Member::pod)
            .findFirst()
            .orElse(null);
    return s.withPrimary(adopted.pod())
        .withStandby(standby)
        .withEpoch(adopted.assignedEpoch())
        .withNextOrdinal(nextOrdinal(o));
  }

  /**
   * Creates the primary and the standby. When no member exists although the status names some (the operator stopped
   * between writing the status and creating them, or every pod was removed), under the names the status holds.
   */
  static Decision create(Observation o) {
    UnitState s = o.state();
    boolean again = s.primary() != null;
    long n = nextOrdinal(o);
    String unit = o.policy().unit();
    String primary = again ? s.primary() : unit + "-" + n++;
    // A pooled unit's standby is the pool's shared pod (none yet while the pool makes it).
    String standby = o.pooled()
        ? o.pool().standby()
        : again && s.standby() != null ? s.standby() : unit + "-" + n++;
    long epoch = Math.max(1, s.epoch());
    List<Action> actions = new ArrayList<>();
    actions.add(new CreateMember(
        primary, ordinalOf(primary), Role.Primary, epoch, standby, Set.of(), null));
    if (!o.pooled())
      actions.add(new CreateMember(
          standby, ordinalOf(standby), Role.Standby, epoch, primary, Set.of(), null));
    actions.add(new HoldLease(primary, epoch, o.policy().thresholds().leaseDuration()));
    actions.add(new PointService(primary));
    String created = o.pooled()
        ? "primary " + primary + " (its standby is pool " + o.pool().pool() + "'s shared pod)"
        : "primary " + primary + " and standby " + standby;
    actions.add(new Emit(
        EventReason.MembersCreated,
        (again ? "no member of the unit exists: creating again " : "created ") + created
            + " at epoch " + epoch,
        again));
    long ordinals =
        o.pooled() ? ordinalOf(primary) + 1 : Math.max(ordinalOf(primary), ordinalOf(standby)) + 1;
    UnitState next = s.withPrimary(primary)
        .withStandby(standby)
        .withEpoch(epoch)
        .withNextOrdinal(Math.max(n, ordinals));
    return new Decision(
        next,
        Phase.Pending,
        Conditions.pending("creating " + created),
        List.copyOf(actions),
        true,
        null);
  }
}
