package dev.availability.ou.failover;

import java.util.List;

/** The four conditions of a unit, built from what the decider concluded. */
final class Conditions {
  static final String READY = "Ready";
  static final String PROTECTED = "Protected";
  static final String FAILOVER = "FailoverInProgress";
  static final String DEGRADED = "Degraded";

  private Conditions() {}

  static List<ConditionView> pending(String message) {
    return List.of(
        new ConditionView(READY, false, "PrimaryStarting", message),
        new ConditionView(PROTECTED, false, "PrimaryStarting", message),
        idle(),
        notDegraded());
  }

  static List<ConditionView> steady(Member primary, Observation o, boolean protectedNow, String protectedReason, String protectedMessage) {
    boolean serving = primary != null && primary.ready();
    ConditionView ready = serving
        ? new ConditionView(READY, true, "PrimaryServing", "primary " + primary.pod() + " on " + primary.node() + " serves through Service " + o.policy().unit())
        : new ConditionView(READY, false, "PrimaryNotReady", "primary " + (primary == null ? "?" : primary.pod()) + " is not ready");
    return List.of(ready, new ConditionView(PROTECTED, protectedNow, protectedReason, protectedMessage), idle(), notDegraded());
  }

  static List<ConditionView> failingOver(Intent i) {
    String what = FailoverUnderWay.what(i) + " from " + i.former() + " to " + i.target() + " at epoch " + i.epoch();
    return List.of(
        new ConditionView(READY, false, i.planned() ? "SwitchingOver" : "FailingOver", what),
        new ConditionView(PROTECTED, false, i.planned() ? "SwitchingOver" : "FailingOver", what),
        new ConditionView(FAILOVER, true, i.reason(), i.message()),
        notDegraded());
  }

  static List<ConditionView> degraded(String reason, String message) {
    return List.of(
        new ConditionView(READY, false, reason, message),
        new ConditionView(PROTECTED, false, reason, message),
        idle(),
        new ConditionView(DEGRADED, true, reason, message));
  }

  private static ConditionView idle() {
    return new ConditionView(FAILOVER, false, "Idle", "no failover under way");
  }

  private static ConditionView notDegraded() {
    return new ConditionView(DEGRADED, false, "AsExpected", "the unit works as specified");
  }
}
