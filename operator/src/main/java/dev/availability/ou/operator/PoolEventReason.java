package dev.availability.ou.operator;

/** The reasons of the events the operator records on a StandbyPool (docs/pools.md "What users see"). */
enum PoolEventReason {
  /** A shared standby pod was made, holding the pool's units. */
  SharedStandbyCreated,
  /** The pool is whole again: its shared standby holds every member in sync after one was replaced. */
  PoolRestored,
  /** A shared pod was deleted (failed, or surplus once another held its units). */
  SharedStandbyDeleted,
  /**
   * No node can run a new shared standby (every ready node runs a primary it protects): none is made until one can
   * (a Warning, said once).
   */
  SharedStandbyUnplaceable,
  /**
   * The pod that took a unit over serves only that unit now and belongs to it (takeover step 6): deleting the pool
   * leaves it. Said once per pod.
   */
  SharedStandbyHandedOver
}
