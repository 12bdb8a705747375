package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import java.util.List;

/** A primary that stays in place kept current: the Service selecting it, the lease held by it at the unit's epoch. Pure. */
final class PrimaryUpkeep {
  private PrimaryUpkeep() {}

  /** Points the Service back at the primary when it selects another member (said as an event) or none yet. */
  static void pointService(Observation o, UnitState s, List<Action> actions) {
    String selected = o.service().selectedMember();
    if (s.primary().equals(selected)) return;
    actions.add(new PointService(s.primary()));
    if (selected != null && !ServiceView.NOBODY.equals(selected)) {
      actions.add(new Emit(
          EventReason.ServiceRepaired,
          "Service selector named " + selected + "; pointed it back at primary " + s.primary(),
          true));
    }
  }

  /** Gives the lease to primary {@code p} at the unit's epoch unless the observed lease already says so. */
  static void holdLease(Observation o, UnitState s, Member p, List<Action> actions) {
    PrimaryLease lease = o.lease();
    if (lease == null || !p.pod().equals(lease.holder()) || lease.epoch() != s.epoch()) {
      actions.add(new HoldLease(p.pod(), s.epoch(), o.policy().thresholds().leaseDuration()));
    }
  }
}
