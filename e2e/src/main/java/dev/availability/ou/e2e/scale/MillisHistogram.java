package dev.availability.ou.e2e.scale;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Durations in 1 ms buckets up to a limit (longer ones in the last), cheap to record from thousands of threads. */
final class MillisHistogram {
  private final AtomicLongArray counts;
  private final AtomicLong max = new AtomicLong();

  MillisHistogram(int limitMillis) {
    counts = new AtomicLongArray(limitMillis + 1);
  }

  void record(long millis) {
    int i = (int) Math.max(0, Math.min(counts.length() - 1, millis));
    counts.incrementAndGet(i);
    max.accumulateAndGet(millis, Math::max);
  }

  void reset() {
    for (int i = 0; i < counts.length(); i++) counts.set(i, 0);
    max.set(0);
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) n += counts.get(i);
    return n;
  }

  /** The {@code p}th percentile (nearest rank), -1 with no samples. */
  long percentile(double p) {
    long n = count();
    if (n == 0) return -1;
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= rank) return i == counts.length() - 1 ? max.get() : i;
    }
    return max.get();
  }

  long max() {
    return max.get();
  }

  /** How many took longer than {@code millis}. */
  long above(long millis) {
    long n = 0;
    for (int i = (int) Math.min(counts.length() - 1, millis + 1); i < counts.length(); i++)
      n += counts.get(i);
    return n;
  }
}
