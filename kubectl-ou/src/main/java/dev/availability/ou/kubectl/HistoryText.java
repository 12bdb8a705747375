package dev.availability.ou.kubectl;

import dev.availability.ou.api.FailoverRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** status.history as a table, newest first: what happened, why, how long each part took, and whether it fit the budget. */
final class HistoryText {
  private HistoryText() {}

  static void print(List<FailoverRecord> history, int limit, Instant now, PrintWriter out) {
    Table t = new Table(
        "AGE", "KIND", "FROM", "TO", "EPOCH", "REASON", "DETECT", "PROMOTE", "TRAFFIC", "BUDGET",
        "LOST");
    history.stream()
        .limit(limit)
        .forEach(r -> t.row(
            Ages.of(StatusView.age(when(r), now)),
            kind(r),
            r.getFormerPrimary(),
            r.getNewPrimary(),
            r.getEpoch(),
            r.getReason(),
            ms(r.getDetectionMillis()),
            ms(r.getPromotionMillis()),
            ms(r.getTrafficSwitchedMillis()),
            budget(r),
            r.getUpdatesLost()));
    if (t.isEmpty()) {
      out.println("no failovers, switchovers or drills yet");
      return;
    }
    t.print(out);
  }

  private static String when(FailoverRecord r) {
    return r.getDecidedAt() != null ? r.getDecidedAt() : r.getFaultObservedAt();
  }

  private static String kind(FailoverRecord r) {
    if (r.getKind() != null) return r.getKind().name();
    return Boolean.TRUE.equals(r.getPlanned()) ? "Switchover" : "Failover";
  }

  private static String ms(Long millis) {
    return millis == null ? "-" : Ages.of(millis);
  }

  private static String budget(FailoverRecord r) {
    if (r.getWithinRecoveryBudget() == null) return "-";
    String of = r.getRecoveryBudgetMillis() == null
        ? ""
        : " (" + Ages.of(r.getRecoveryBudgetMillis()) + ")";
    return (r.getWithinRecoveryBudget() ? "met" : "MISSED") + of;
  }
}
