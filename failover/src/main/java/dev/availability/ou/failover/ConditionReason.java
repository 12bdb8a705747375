package dev.availability.ou.failover;

/**
 * The reasons a condition gives, as a closed set; each constant's name is the reason written to the API. One enum for
 * all conditions, because reasons cross them: a Degraded reason is also Ready's and Protected's. The one reason outside
 * it is FailoverInProgress's while True: the {@link PromotionReason}'s name (a fault's signal, or a chosen move).
 */
public enum ConditionReason {
  // Ready
  PrimaryServing,
  PrimaryStarting,
  PrimaryNotReady,
  // Ready and Protected while a promotion is under way
  FailingOver,
  SwitchingOver,
  // Protected
  StandbyInSync,
  StandbyStarting,
  StandbyCatchingUp,
  StandbyLagging,
  StandbyUnschedulable,
  StandbyFailed,
  StandbyFenced,
  PeerUnreachable,
  // FailoverInProgress False
  Idle,
  // Degraded (also on Ready and Protected); False: AsExpected
  AutomaticFailoverDisabled,
  NoHealthyStandby,
  NoInSyncStandby,
  LagTooHigh,
  LagUnknown,
  PoolStandbyBusy,
  FailoverTargetLost,
  PrimaryFenced,
  PrimaryResuming,
  Paused,
  InvalidSpec,
  NameConflict,
  ApiRequestFailed,
  FailoverLoop,
  MembersUnreachable,
  AsExpected,
  // Paused
  PausedByAnnotation,
  NotPaused,
  // SidecarMemoryPressure
  StateOutgrowsHeap,
  StateFitsHeap,
  // MalformedValues
  MalformedValue,
  AllReadable,
  // CommonModeFailure
  StimulusQuarantined,
  NoStimulusQuarantined,
  // DependenciesAvailable
  AllDependenciesAvailable,
  DependencyUnavailable
}
