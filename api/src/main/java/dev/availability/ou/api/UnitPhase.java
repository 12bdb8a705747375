package dev.availability.ou.api;

/** The unit's phase, as {@code kubectl get ou} shows it. */
public enum UnitPhase {
  /** Members are being created or scheduled; nothing serves yet. */
  Pending,
  /** The primary serves; the standby is catching up. */
  Synchronizing,
  /** The primary serves and the standby is in sync: a failure of either is survived. */
  Protected,
  /** The primary serves but no standby could take over now (missing, unschedulable, unreachable). */
  Unprotected,
  /** A failover is under way (the intent is in status.failover). */
  FailingOver,
  /** The primary failed and nobody can take over automatically; see the Degraded condition. */
  Degraded
}
