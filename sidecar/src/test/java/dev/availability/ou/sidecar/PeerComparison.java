package dev.availability.ou.sidecar;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's second table: the peers' cells (PostgreSQL, Redis) beside the sidecar's, measured in the
 * same rounds, and the ratios sidecar ÷ peer; and their fields for the JSON line.
 */
final class PeerComparison {
  /** Which sidecar subject each peer subject is held against, and why. */
  record Pair(String sidecar, String peer, String meaning) {}

  static final List<Pair> PAIRS = List.of(
      new Pair("sync", "pg-sync", "Synchronous vs PostgreSQL synchronous standby"),
      new Pair("sync", "redis-wait", "Synchronous vs Redis SET + WAIT 1 0"),
      new Pair("async", "redis", "Asynchronous vs Redis SET"),
      new Pair(
          "async",
          "pg-local",
          "Asynchronous vs PostgreSQL synchronous_commit=local (standby streaming)"),
      new Pair("local", "pg-local", "baseline vs baseline"));

  /** A peer subject's own baseline: its replicated write ÷ the same server's write without waiting for the replica. */
  static final Map<String, String> OWN_BASELINE =
      Map.of("pg-sync", "pg-local", "redis-wait", "redis");

  private PeerComparison() {}

  static boolean isPeer(String subject) {
    return subject.startsWith("pg-") || subject.startsWith("redis");
  }

  /** Prints the tables and returns the JSON fields (a leading comma, no braces), or "" without peers. */
  static String report(Map<String, CellResult> merged, List<String> versions) {
    List<CellResult> peers =
        merged.values().stream().filter(r -> isPeer(r.subject())).toList();
    if (peers.isEmpty()) return ",\"peers\":[]";
    System.out.println();
    System.out.println(
        "Peers, in the same rounds on the same disk and cores (" + String.join(", ", versions)
            + "); 'CPU' is the servers'"
            + " (primary and replica, with their child processes) per write; '÷ own' is the replicated write ÷ the same server's unreplicated one:");
    System.out.println(
        "| subject | writers | value | ops/s | p50 us | p99 us | p999 us | ÷ own | CPU us/op | samples |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    StringBuilder json = new StringBuilder(",\"peers\":[");
    for (int i = 0; i < versions.size(); i++)
      json.append(i == 0 ? "" : ",").append('"').append(versions.get(i)).append('"');
    json.append("],\"peer_cells\":[");
    boolean first = true;
    for (CellResult r : peers) {
      CellResult own = OWN_BASELINE.containsKey(r.subject())
          ? merged.get(OWN_BASELINE.get(r.subject()) + "/" + r.writers() + "/" + r.size())
          : null;
      String ratio = own == null
          ? "null"
          : String.format(Locale.ROOT, "%.3f", r.throughput() / own.throughput());
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %s | %.1f | %d |%n",
          r.subject(),
          r.writers(),
          r.size(),
          r.throughput(),
          r.pct(0.5),
          r.pct(0.99),
          r.pct(0.999),
          own == null ? "-" : ratio.substring(0, 4),
          r.cpuMicrosPerOp(),
          r.sortedNanos().length);
      json.append(first ? "" : ",")
          .append(String.format(
              Locale.ROOT,
              "{\"subject\":\"%s\",\"writers\":%d,\"value_bytes\":%d,\"ops_per_s\":%.0f,"
                  + "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"ratio_throughput_own_baseline\":%s,\"server_cpu_us_per_op\":%s,\"samples\":%d}",
              r.subject(),
              r.writers(),
              r.size(),
              r.throughput(),
              r.pct(0.5),
              r.pct(0.99),
              r.pct(0.999),
              ratio,
              number(r.cpuMicrosPerOp()),
              r.sortedNanos().length));
      first = false;
    }
    json.append("],\"versus_peers\":[");
    System.out.println();
    System.out.println(
        "Sidecar ÷ peer (throughput: above 1 the sidecar is faster; p99: below 1 the sidecar's tail is shorter):");
    System.out.println(
        "| writers | value | comparison | sidecar ops/s | peer ops/s | throughput sidecar ÷ peer | sidecar p50 / p99 us | peer p50 / p99 us"
            + " | p99 sidecar ÷ peer |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    first = true;
    for (CellResult s : merged.values()) {
      if (isPeer(s.subject())) continue;
      for (Pair pair : PAIRS) {
        if (!pair.sidecar().equals(s.subject())) continue;
        CellResult p = merged.get(pair.peer() + "/" + s.writers() + "/" + s.size());
        if (p == null) continue;
        double ratio = s.throughput() / p.throughput();
        double p99Ratio = s.pct(0.99) / p.pct(0.99);
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %s | %.0f | %.0f | %.2f | %.0f / %.0f | %.0f / %.0f | %.2f |%n",
            s.writers(),
            s.size(),
            pair.meaning(),
            s.throughput(),
            p.throughput(),
            ratio,
            s.pct(0.5),
            s.pct(0.99),
            p.pct(0.5),
            p.pct(0.99),
            p99Ratio);
        json.append(first ? "" : ",")
            .append(String.format(
                Locale.ROOT,
                "{\"sidecar\":\"%s\",\"peer\":\"%s\",\"writers\":%d,\"value_bytes\":%d,"
                    + "\"ratio_throughput\":%.3f,\"ratio_p99\":%.3f,\"sidecar_p99_us\":%.1f,\"peer_p99_us\":%.1f}",
                pair.sidecar(),
                pair.peer(),
                s.writers(),
                s.size(),
                ratio,
                p99Ratio,
                s.pct(0.99),
                p.pct(0.99)));
        first = false;
      }
    }
    return json.append(']').toString();
  }

  private static String number(double d) {
    return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
  }
}
