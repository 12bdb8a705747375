package dev.availability.ou.e2e.scale;

import java.util.Map;
import java.util.TreeMap;

/**
 * Percentiles of a Prometheus histogram over a window: the difference of two scrapes of its cumulative buckets.
 * A percentile is the upper bound of the bucket it falls in (Micrometer's buckets are about 10% apart).
 */
final class HistogramWindow {
  private HistogramWindow() {}

  /** Bucket upper bound (seconds) to cumulative count, summed over every series of {@code name}_bucket. */
  static TreeMap<Double, Double> buckets(PromText scrape, String name) {
    TreeMap<Double, Double> m = new TreeMap<>();
    for (PromText.Sample s : scrape.samples()) {
      if (!s.name().equals(name + "_bucket")) continue;
      String le = s.label("le");
      m.merge(
          le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
          s.value(),
          Double::sum);
    }
    return m;
  }

  /** How many observations fell in the window. */
  static double count(PromText before, PromText after, String name) {
    return after.sum(name + "_count", s -> true)
        - (before == null ? 0 : before.sum(name + "_count", s -> true));
  }

  /** The {@code p}th percentile in milliseconds over the window, -1 with no observations in it. */
  static double percentileMillis(PromText before, PromText after, String name, double p) {
    TreeMap<Double, Double> b = before == null ? new TreeMap<>() : buckets(before, name);
    TreeMap<Double, Double> a = buckets(after, name);
    double total = a.isEmpty() ? 0 : a.lastEntry().getValue() - b.getOrDefault(a.lastKey(), 0.0);
    if (total <= 0) return -1;
    double rank = Math.ceil(p / 100.0 * total);
    for (Map.Entry<Double, Double> e : a.entrySet()) {
      double cumulative = e.getValue() - b.getOrDefault(e.getKey(), 0.0);
      if (cumulative >= rank)
        return e.getKey().isInfinite() ? Double.POSITIVE_INFINITY : e.getKey() * 1000.0;
    }
    return Double.POSITIVE_INFINITY;
  }
}
