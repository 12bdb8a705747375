package dev.availability.ou.failover;

/** Why a standby was promoted: a fault, a planned switchover (no loss, not a failover), or a drill the user asked for. */
public enum PromotionKind {
  /** The primary failed. Counted in {@code status.failovers}. */
  Failover,
  /** Planned (spec change, failback, a user's request): the primary was healthy and handed over. Counted in {@code status.switchovers}. */
  Switchover,
  /** A failover the user asked for, taken the way a fault is, to measure the unit's real recovery. Counted in neither. */
  Drill
}
