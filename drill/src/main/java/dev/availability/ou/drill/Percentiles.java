package dev.availability.ou.drill;

import java.util.Collection;

/** Nearest-rank percentiles of a benchmark's samples. */
final class Percentiles {
  private Percentiles() {}

  /** The {@code p}th percentile (nearest rank) of {@code values}; -1 when there are none. */
  static long of(Collection<Long> values, double p) {
    if (values.isEmpty()) return -1;
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** "p50/p99/max" in ms, or "-" with no samples; p99 of fewer than 100 samples is the max (said by the caller). */
  static String summary(Collection<Long> values) {
    if (values.isEmpty()) return "-";
    return of(values, 50) + " / " + of(values, 99) + " / " + of(values, 100);
  }
}
