package dev.availability.ou.failover;

/** A status condition as the decider sees it; the operator adds transition times and generations. */
public record ConditionView(String type, boolean status, String reason, String message) {}
