package dev.availability.ou.failover;

/** Reasons of the Events the operator records on a unit, one per transition. */
public enum EventReason {
  MembersCreated, StandbyScheduled, StandbyReplaced, StandbyInSync, ProtectionRestored,
  PrimaryFailed, PrimarySuspect, FailoverStarted, StandbyPromoted, TrafficSwitched, PrimaryFenced, FormerPrimaryDeleted,
  FailoverCompleted, FailoverBlocked, FailoverAborted, SwitchoverStarted, SwitchoverCompleted, RollingUpdate,
  PeerUnreachable, InvalidSpec, NameConflict, ServiceRepaired, SidecarMemoryPressure, UnsafeSpec, MalformedValue,
  MemberRejoined, DrainWaiting
}
