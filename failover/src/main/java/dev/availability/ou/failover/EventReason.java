package dev.availability.ou.failover;

/** Reasons of the Events the operator records on a unit, one per transition. */
public enum EventReason {
  MembersCreated,
  StandbyScheduled,
  StandbyReplaced,
  StandbyInSync,
  ProtectionRestored,
  PrimaryFailed,
  PrimarySuspect,
  FailoverStarted,
  StandbyPromoted,
  TrafficSwitched,
  PrimaryFenced,
  FormerPrimaryDeleted,
  FormerPrimaryKept,
  // a deleted primary's sidecar kept as the standby until its successor runs (FormerDeparting)
  FormerPrimaryDeparting,
  StandbyHandedOver,
  FailoverCompleted,
  FailoverBlocked,
  // a pooled unit's primary failed while the pool's shared pod serves another unit (docs/pools.md)
  PoolStandbyBusy,
  FailoverAborted,
  SwitchoverStarted,
  SwitchoverCompleted,
  RollingUpdate,
  PeerUnreachable,
  InvalidSpec,
  NameConflict,
  ServiceRepaired,
  SidecarMemoryPressure,
  UnsafeSpec,
  MalformedValue,
  // requests (annotations): a switchover or drill refused, or done at once; a drill's start and end
  RequestRefused,
  RequestDone,
  DrillStarted,
  DrillCompleted,
  // fencing and pausing (annotations fenced-members, paused)
  MemberFenced,
  MemberUnfenced,
  Paused,
  Resumed,
  ActionHeld,
  // a member back after its node (MemberRejoin); a drain waiting for a standby in sync
  // (NodeMaintenance)
  MemberRejoined,
  DrainWaiting,
  // the API server refused what the operator asked (a rule missing from its RBAC, an object
  // refused, a lasting conflict)
  ApiRequestFailed,
  // a failure not failed over: automatic failover suspended after a loop of them (FailoverLoop)
  FailoverLoop,
  // a stimulus both copies failed on set aside (PoisonQuarantine); settled by the application;
  // released or dropped by a human
  StimulusQuarantined,
  StimulusSettled,
  StimulusReleased,
  StimulusDropped,
  // a unit depended on lost its serving primary for longer than its unavailableAfter, or came back
  // (DependencyWatch)
  DependencyUnavailable,
  DependencyAvailable
}
