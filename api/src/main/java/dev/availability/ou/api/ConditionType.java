package dev.availability.ou.api;

/** The condition types a unit's status carries. */
public enum ConditionType { Ready, Protected, FailoverInProgress, Degraded, SidecarMemoryPressure, Paused }
