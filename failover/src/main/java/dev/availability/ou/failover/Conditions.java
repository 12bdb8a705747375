package dev.availability.ou.failover;

import static dev.availability.ou.failover.ConditionType.Degraded;
import static dev.availability.ou.failover.ConditionType.FailoverInProgress;
import static dev.availability.ou.failover.ConditionType.Protected;
import static dev.availability.ou.failover.ConditionType.Ready;

import java.util.List;

/** The four conditions of a unit, built from what the decider concluded. */
final class Conditions {

  private Conditions() {}

  static List<ConditionView> pending(String message) {
    return List.of(
        new ConditionView(Ready, false, ConditionReason.PrimaryStarting, message),
        new ConditionView(Protected, false, ConditionReason.PrimaryStarting, message),
        idle(),
        notDegraded());
  }

  static List<ConditionView> steady(
      Member primary,
      Observation o,
      boolean protectedNow,
      ConditionReason protectedReason,
      String protectedMessage) {
    boolean serving = primary != null && primary.ready();
    ConditionView ready = serving
        ? new ConditionView(
            Ready,
            true,
            ConditionReason.PrimaryServing,
            "primary " + primary.pod() + " on " + primary.node() + " serves through Service "
                + o.policy().unit())
        : new ConditionView(
            Ready,
            false,
            ConditionReason.PrimaryNotReady,
            "primary " + (primary == null ? "?" : primary.pod()) + " is not ready");
    return List.of(
        ready,
        new ConditionView(Protected, protectedNow, protectedReason, protectedMessage),
        idle(),
        notDegraded());
  }

  static List<ConditionView> failingOver(Intent i) {
    String what = FailoverUnderWay.what(i) + " from " + i.former() + " to " + i.target()
        + " at epoch " + i.epoch();
    ConditionReason moving =
        i.planned() ? ConditionReason.SwitchingOver : ConditionReason.FailingOver;
    return List.of(
        new ConditionView(Ready, false, moving, what),
        new ConditionView(Protected, false, moving, what),
        new ConditionView(FailoverInProgress, true, i.reason(), i.message()),
        notDegraded());
  }

  static List<ConditionView> degraded(ConditionReason reason, String message) {
    return degraded(reason, message, null);
  }

  /** Degraded, and not serving since {@code notServingSince} (null: since now) when it was Ready. */
  static List<ConditionView> degraded(
      ConditionReason reason, String message, java.time.Instant notServingSince) {
    return List.of(
        new ConditionView(Ready, false, reason, message).changedAt(notServingSince),
        new ConditionView(Protected, false, reason, message),
        idle(),
        new ConditionView(Degraded, true, reason, message));
  }

  private static ConditionView idle() {
    return new ConditionView(
        FailoverInProgress, false, ConditionReason.Idle, "no failover under way");
  }

  private static ConditionView notDegraded() {
    return new ConditionView(
        Degraded, false, ConditionReason.AsExpected, "the unit works as specified");
  }
}
