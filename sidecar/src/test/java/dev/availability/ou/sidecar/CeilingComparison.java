package dev.availability.ou.sidecar;

import java.util.Locale;
import java.util.Map;

/**
 * Goal 4's ceiling, per cell: Synchronous ÷ local against the most it can reach on this disk, mean one fsync ÷ mean
 * two at once on two files (the primary's and the standby's log flushes share the disk here), and the ratio of the
 * two (the goal: ≥ 0.95). Prints the table and returns the JSON fields.
 */
final class CeilingComparison {
  static final double GOAL = 0.95;

  private CeilingComparison() {}

  /**
   * Mean one fsync ÷ mean two at once (p50, p99, mean in each): what sync ÷ local can reach with one writer when the
   * disk serves the two flushes one after the other. At most 1: on a disk that served two faster than one in the
   * probe (noise), replication still cannot make the local write faster.
   */
  static double ceiling(double[] oneUs, double[] twoAtOnceUs) {
    return Math.min(1.0, oneUs[2] / twoAtOnceUs[2]);
  }

  /** Prints the table; returns ",\"ceiling_sync_over_local\":…,\"versus_ceiling\":[…]" for the JSON line. */
  static String report(Map<String, CellResult> merged, double ceiling) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Synchronous against the two-logs-flushed-at-once ceiling (mean one fsync / mean two at once = %.2f);"
            + " goal: sync / local >= %.2f x the ceiling%n",
        ceiling,
        GOAL);
    System.out.println(
        "| writers | value | sync / local | ceiling | (sync / local) / ceiling | goal met |");
    System.out.println("|---|---|---|---|---|---|");
    StringBuilder json = new StringBuilder(String.format(
        Locale.ROOT, ",\"ceiling_sync_over_local\":%.3f,\"versus_ceiling\":[", ceiling));
    boolean first = true;
    for (CellResult sync : merged.values()) {
      if (!sync.subject().equals("sync")) continue;
      CellResult local = merged.get("local/" + sync.writers() + "/" + sync.size());
      double ratio = sync.throughput() / local.throughput();
      double ofCeiling = ratio / ceiling;
      System.out.printf(
          Locale.ROOT,
          "| %d | %d | %.2f | %.2f | %.2f | %s |%n",
          sync.writers(),
          sync.size(),
          ratio,
          ceiling,
          ofCeiling,
          ofCeiling >= GOAL ? "yes" : "no");
      json.append(first ? "" : ",")
          .append(String.format(
              Locale.ROOT,
              "{\"writers\":%d,\"value_bytes\":%d,\"sync_over_local\":%.3f,\"ceiling\":%.3f,\"ratio_of_ceiling\":%.3f}",
              sync.writers(),
              sync.size(),
              ratio,
              ceiling,
              ofCeiling));
      first = false;
    }
    return json.append(']').toString();
  }
}
