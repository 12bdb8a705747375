package dev.availability.ou.sidecar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One cell's measurement; cpuTicks: CPU time of the processes serving the subject during the measured window (clock ticks). */
record CellResult(
    String subject,
    int writers,
    int size,
    long ops,
    double seconds,
    long[] sortedNanos,
    long cpuTicks) {
  /** CPU of the serving processes per write, in microseconds (NaN for the in-process baseline). */
  double cpuMicrosPerOp() {
    return cpuTicks < 0 || ops == 0
        ? Double.NaN
        : cpuTicks * 1e6 / BenchSettings.TICKS_PER_SECOND / ops;
  }

  double throughput() {
    return ops / seconds;
  }

  double pct(double p) {
    if (sortedNanos.length == 0) return Double.NaN;
    return sortedNanos[
            Math.min(sortedNanos.length - 1, (int) Math.ceil(p * sortedNanos.length) - 1)]
        / 1000.0;
  }

  /** The rounds merged per cell, keyed subject/writers/size in first-run order: throughput summed over the rounds' seconds, latencies pooled. */
  static Map<String, CellResult> mergeRounds(List<CellResult> results) {
    Map<String, List<CellResult>> cells = new LinkedHashMap<>();
    for (CellResult r : results)
      cells
          .computeIfAbsent(r.subject() + "/" + r.writers() + "/" + r.size(), k -> new ArrayList<>())
          .add(r);
    Map<String, CellResult> merged = new LinkedHashMap<>();
    cells.forEach((k, list) -> {
      long ops = 0;
      double secs = 0;
      int n = 0;
      long cpu = 0;
      for (CellResult r : list) {
        ops += r.ops();
        secs += r.seconds();
        n += r.sortedNanos().length;
        cpu = r.cpuTicks() < 0 || cpu < 0 ? -1 : cpu + r.cpuTicks();
      }
      long[] all = new long[n];
      int p = 0;
      for (CellResult r : list) {
        System.arraycopy(r.sortedNanos(), 0, all, p, r.sortedNanos().length);
        p += r.sortedNanos().length;
      }
      Arrays.sort(all);
      CellResult f = list.get(0);
      merged.put(k, new CellResult(f.subject(), f.writers(), f.size(), ops, secs, all, cpu));
    });
    return merged;
  }
}
