package dev.availability.ou.failover;

/** Mirrors the API's status.phase. */
public enum Phase {
  Pending,
  Synchronizing,
  Protected,
  Unprotected,
  FailingOver,
  Degraded
}
