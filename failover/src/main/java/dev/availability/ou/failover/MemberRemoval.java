package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Removing members the unit no longer needs: which to delete, and when a deletion must be forced (fenced, may hang). */
final class MemberRemoval {
  private MemberRemoval() {}

  /** Members that are neither primary nor standby (a former primary left behind, a stray): remove them. */
  static void removeExtraMembers(Observation o, UnitState s, List<Action> actions) {
    Set<String> deletedNow = new LinkedHashSet<>();
    actions.stream()
        .filter(a -> a instanceof DeleteMember)
        .map(a -> ((DeleteMember) a).pod())
        .forEach(deletedNow::add);
    for (Member m : o.members().values()) {
      if (m.pod().equals(s.primary())
          || m.pod().equals(s.standby())
          || deletedNow.contains(m.pod())) continue;
      // The pool's pods are the pool's to delete (one this unit took over is its own).
      if (o.pool() != null && o.pool().poolsPod(m.pod(), o.policy().unit())) continue;
      if (MemberRejoin.keep(o, s, m))
        continue; // lost with its node, it may come back before the standby is in sync
      if (FormerDeparting.awaited(o, s, m))
        continue; // it takes over from a departing former primary once it runs
      if (NodeMaintenance.readiedFor(o, s, m))
        continue; // it will follow the drain's switchover as the standby
      boolean hangs = mayHang(o, s, m);
      boolean force = hangs && fenced(o, s, m);
      if (!m.deleting()) {
        actions.add(new DeleteMember(m.pod(), force));
        // A former primary kept until a standby was in sync (MemberRejoin) goes now, and says so.
        if (s.lastFailover() != null && m.pod().equals(s.lastFailover().former())) {
          actions.add(new Emit(
              EventReason.FormerPrimaryDeleted,
              "deleting former primary " + m.pod()
                  + (MemberRejoin.standbyInSync(o, s)
                      ? ": standby " + s.standby() + " is in sync"
                      : ": it did not come back")
                  + (force ? " (forced: its node is unreachable and it is fenced)" : ""),
              false));
        }
      } else if (force) {
        actions.add(new DeleteMember(m.pod(), true));
      }
    }
  }

  static boolean nodeDown(Observation o, Member m) {
    return o.node(m.node()).map(n -> !n.healthy()).orElse(m.scheduled());
  }

  /**
   * A graceful deletion may never finish: the member's node is down or gone, or the failover that deposed
   * it suspected the node (which the API server may show Ready for its whole grace period).
   */
  static boolean mayHang(Observation o, UnitState s, Member m) {
    if (nodeDown(o, m)) return true;
    Intent i = s.intent();
    FailoverTimings t = s.lastFailover();
    PromotionReason cause = i != null && m.pod().equals(i.former())
        ? i.cause()
        : t != null && m.pod().equals(t.former()) ? t.cause() : null;
    return PromotionReason.suspectsNode(cause);
  }

  /**
   * A member is fenced once it says so, once the lease it holds has expired, or once a lease duration has
   * passed since the lease moved away from it: its sidecar stops acknowledging writes when it cannot renew.
   */
  static boolean fenced(Observation o, UnitState s, Member m) {
    if (m.report() != null && m.report().role() == Role.Fenced) return true;
    PrimaryLease lease = o.lease();
    if (lease != null
        && m.pod().equals(lease.holder())
        && lease.expiresAt() != null
        && !o.now().isBefore(lease.expiresAt())) return true;
    if (m.assignedRole() == Role.Standby || m.assignedRole() == null)
      return true; // never held the lease at this epoch
    // A standby fenced when it was lost (MemberRejoin) that has not run since: it never held the
    // lease at this epoch.
    if (m.assignedRole() == Role.Fenced
        && m.report() != null
        && m.report().role() == Role.Standby
        && m.report().epoch() == m.assignedEpoch()) return true;
    // (only for the member the lease moved away from: the one a failover promoted holds it)
    Intent i = s.intent();
    FailoverTimings t = s.lastFailover();
    Instant movedAt = i != null && m.pod().equals(i.former())
        ? i.serviceSwitchedAt()
        : t != null && m.pod().equals(t.former()) ? t.serviceSwitchedAt() : null;
    if (movedAt == null) return false;
    return !o.now().isBefore(movedAt.plus(o.policy().thresholds().leaseDuration()));
  }

  static Duration forceDeleteRecheck(Observation o, UnitState s) {
    FailoverTimings last = s.lastFailover();
    if (last == null || last.serviceSwitchedAt() == null) return null;
    Instant at = last.serviceSwitchedAt().plus(o.policy().thresholds().leaseDuration());
    boolean waiting = o.members().values().stream()
        .anyMatch(m -> m.pod().equals(last.former()) && mayHang(o, s, m));
    return waiting && o.now().isBefore(at) ? Duration.between(o.now(), at) : null;
  }
}
