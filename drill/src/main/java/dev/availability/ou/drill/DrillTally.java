package dev.availability.ou.drill;

import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.e2e.client.ClientVerdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The running totals of bench/drill: per replication mode and per fault kind, from the clients' verdicts only. */
final class DrillTally {
  private int faults;
  private final Map<ReplicationMode, long[]> byMode =
      new EnumMap<>(ReplicationMode.class); // acknowledged, lost, split brain, failed
  private final Map<String, List<Long>> outageByKindAndMode = new TreeMap<>();
  private final List<Long> outages = new ArrayList<>();

  /** One fault: the target unit's verdict (its outage counts) and every unit's verdict (their loss counts). */
  void add(
      FaultKind kind,
      ReplicationMode targetMode,
      ClientVerdict target,
      Map<ReplicationMode, ClientVerdict> all) {
    faults++;
    all.forEach((mode, v) -> {
      long[] t = byMode.computeIfAbsent(mode, m -> new long[4]);
      t[0] += v.acknowledged();
      t[1] += v.lost();
      t[2] += v.splitBrain();
      t[3] += v.failed();
    });
    outageByKindAndMode
        .computeIfAbsent(kind.label + " " + targetMode, k -> new ArrayList<>())
        .add(target.outageMillis());
    outages.add(target.outageMillis());
  }

  int faults() {
    return faults;
  }

  long splitBrain() {
    return byMode.values().stream().mapToLong(t -> t[2]).sum();
  }

  String totalsLine() {
    return String.format(
        Locale.ROOT,
        "totals after %d faults: %s; split brain %d; outage p50 %d ms, p99 %d ms",
        faults,
        byMode.entrySet().stream()
            .map(e -> e.getKey() + " acknowledged " + e.getValue()[0] + " lost " + e.getValue()[1])
            .collect(Collectors.joining(", ")),
        splitBrain(),
        Percentiles.of(outages, 50),
        Percentiles.of(outages, 99));
  }

  void printTable(java.io.PrintStream out) {
    out.printf("%-44s %5s %24s%n", "fault, target unit's mode", "n", "outage p50/p99/max ms");
    outageByKindAndMode.forEach(
        (k, v) -> out.printf("%-44s %5d %24s%n", k, v.size(), Percentiles.summary(v)));
    out.printf("%-44s %5d %24s%n", "all faults", outages.size(), Percentiles.summary(outages));
    out.println("(p99 of fewer than 100 samples is their max)");
    out.printf(
        "%-14s %14s %10s %12s %14s%n",
        "mode", "acknowledged", "lost", "split brain", "failed writes");
    byMode.forEach((m, t) -> out.printf("%-14s %14d %10d %12d %14d%n", m, t[0], t[1], t[2], t[3]));
  }

  String json(long seed) {
    StringBuilder modes = new StringBuilder();
    byMode.forEach((m, t) -> modes
        .append(modes.isEmpty() ? "" : ",")
        .append(String.format(
            Locale.ROOT,
            "\"%s\":{\"acknowledged\":%d,\"lost\":%d,\"split_brain\":%d,\"failed\":%d}",
            m,
            t[0],
            t[1],
            t[2],
            t[3])));
    StringBuilder kinds = new StringBuilder();
    outageByKindAndMode.forEach((k, v) -> kinds
        .append(kinds.isEmpty() ? "" : ",")
        .append(String.format(
            Locale.ROOT,
            "\"%s\":{\"n\":%d,\"p50_ms\":%d,\"p99_ms\":%d,\"max_ms\":%d}",
            k,
            v.size(),
            Percentiles.of(v, 50),
            Percentiles.of(v, 99),
            Percentiles.of(v, 100))));
    return String.format(
        Locale.ROOT,
        "{\"bench\":\"drill\",\"faults\":%d,\"seed\":%d,\"split_brain\":%d,\"outage_p50_ms\":%d,\"outage_p99_ms\":%d,"
            + "\"modes\":{%s},\"outage_by_fault\":{%s}}",
        faults,
        seed,
        splitBrain(),
        Percentiles.of(outages, 50),
        Percentiles.of(outages, 99),
        modes,
        kinds);
  }
}
