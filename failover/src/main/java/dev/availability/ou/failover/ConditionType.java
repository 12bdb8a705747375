package dev.availability.ou.failover;

/**
 * The condition types a unit's status carries; each constant's name is the type written to the API. It lives in the
 * core, beside {@link EventReason}, because the core decides the conditions and depends on nothing (the {@code api}
 * module brings Fabric8); the operator writes {@link #name()}.
 */
public enum ConditionType {
  /** The primary serves through the Service. */
  Ready,
  /** A standby could take over now. */
  Protected,
  /** A failover, switchover or drill is under way. */
  FailoverInProgress,
  /** The unit cannot do what it is specified to do. */
  Degraded,
  /** The unit is paused: the operator reports but acts on nothing ({@link Pause}). */
  Paused,
  /** A member's sidecar holds more state than its heap is sized for ({@link SidecarMemory}). */
  SidecarMemoryPressure,
  /** A value the operator reads for the unit does not parse. */
  MalformedValues,
  /** A stimulus both copies failed on is quarantined ({@link PoisonQuarantine}). */
  CommonModeFailure,
  /** Every unit it depends on has a serving primary ({@link DependencyWatch}). */
  DependenciesAvailable
}
