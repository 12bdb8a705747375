package dev.availability.ou.e2e.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a fault cost the client, from its own records only (never from the operator's or the sidecars'
 * figures). A pure function of the attempts, the read-back and the run window; times are the client's
 * {@link System#nanoTime()}.
 *
 * @param attempts writes tried
 * @param acknowledged writes the store acknowledged
 * @param failed writes that failed (refused, timed out, no connection): the client-visible failures
 * @param lost acknowledged writes the read-back does not hold: {@code missing + mismatched}
 * @param missing acknowledged writes whose key the read-back lacks
 * @param mismatched acknowledged writes whose key the read-back holds with another value
 * @param lostExamples up to {@link #EXAMPLES} lost keys, in words
 * @param outageNanos the client-visible outage: the longest time between two acknowledgements completing
 *     inside the run window, or between the last one and the window's end (so a store that never came back
 *     shows its outage up to the end); the whole window when nothing was acknowledged. The time before the
 *     first acknowledgement is the client starting up, not an outage. With no failure it is about the
 *     interval between two writes.
 * @param outageFromNanos where that longest gap starts, from the window's start
 * @param splitBrain acknowledged writes whose epoch is older than that of an acknowledgement that had
 *     already completed when they started: two members acknowledged writes, the older one after the newer
 * @param splitBrainExamples up to {@link #EXAMPLES} of them, in words
 * @param unidentifiedAcks acknowledged writes that named no member or no epoch
 * @param acksByEpoch acknowledged writes per epoch (identified ones)
 * @param acksByMember acknowledged writes per member ({@code ?} for those that named none)
 * @param failuresByKind failed writes per kind of failure
 * @param failureExamples up to {@link #EXAMPLES} distinct failures in words (kind, the store's answer or the
 *     exception), each with when it first happened from the window's start: what a {@code http 503} said
 * @param windowNanos the run window's length
 */
public record ClientVerdict(
    long attempts,
    long acknowledged,
    long failed,
    long lost,
    long missing,
    long mismatched,
    List<String> lostExamples,
    long outageNanos,
    long outageFromNanos,
    long splitBrain,
    List<String> splitBrainExamples,
    long unidentifiedAcks,
    SortedMap<Long, Long> acksByEpoch,
    SortedMap<String, Long> acksByMember,
    SortedMap<String, Long> failuresByKind,
    List<String> failureExamples,
    long windowNanos) {
  /** How many lost or split-brain writes are named, at most. */
  public static final int EXAMPLES = 10;

  /**
   * @param attempts every attempt of the run, in any order
   * @param readBack every key and value read from the current primary after the recovery
   * @param windowStartNanos when the run started
   * @param windowEndNanos when it stopped
   */
  public static ClientVerdict of(
      Collection<Attempt> attempts,
      Map<String, String> readBack,
      long windowStartNanos,
      long windowEndNanos) {
    List<Attempt> acks = attempts.stream().filter(Attempt::acked).toList();
    SortedMap<String, Long> failures = new TreeMap<>();
    for (Attempt a : attempts) if (!a.acked()) failures.merge(a.failure(), 1L, Long::sum);
    java.util.Map<String, Long> firstSeen = new java.util.LinkedHashMap<>();
    attempts.stream()
        .filter(a -> !a.acked())
        .sorted(java.util.Comparator.comparingLong(Attempt::startNanos))
        .forEach(a -> firstSeen.putIfAbsent(a.failure() + ": " + a.detail(), a.startNanos()));
    List<String> failureExamples = firstSeen.entrySet().stream()
        .limit(EXAMPLES)
        .map(e -> "at " + (e.getValue() - windowStartNanos) / 1_000_000 + " ms " + e.getKey())
        .toList();

    long missing = 0;
    long mismatched = 0;
    List<String> lostExamples = new ArrayList<>();
    SortedMap<Long, Long> byEpoch = new TreeMap<>();
    SortedMap<String, Long> byMember = new TreeMap<>();
    long unidentified = 0;
    for (Attempt a : acks) {
      String held = readBack.get(a.key());
      if (held == null) missing++;
      else if (!held.equals(a.value())) mismatched++;
      if ((held == null || !held.equals(a.value())) && lostExamples.size() < EXAMPLES) {
        lostExamples.add(a.key() + " acknowledged by " + who(a)
            + (held == null ? ": missing" : ": holds " + held));
      }
      if (a.epoch() != Attempt.NO_EPOCH) byEpoch.merge(a.epoch(), 1L, Long::sum);
      byMember.merge(a.member() == null ? "?" : a.member(), 1L, Long::sum);
      if (!a.identified()) unidentified++;
    }

    long[] gap = longestGap(acks, windowStartNanos, windowEndNanos);
    List<String> splitExamples = new ArrayList<>();
    long split = splitBrain(acks, splitExamples);
    return new ClientVerdict(
        attempts.size(),
        acks.size(),
        attempts.size() - acks.size(),
        missing + mismatched,
        missing,
        mismatched,
        List.copyOf(lostExamples),
        gap[0],
        gap[1],
        split,
        List.copyOf(splitExamples),
        unidentified,
        byEpoch,
        byMember,
        failures,
        failureExamples,
        windowEndNanos - windowStartNanos);
  }

  /** The longest time from one acknowledgement to the next (or to the window's end) inside the window: {length, start from the window's start}. */
  static long[] longestGap(List<Attempt> acks, long windowStart, long windowEnd) {
    long[] ends = acks.stream()
        .mapToLong(Attempt::endNanos)
        .filter(t -> t >= windowStart && t <= windowEnd)
        .sorted()
        .toArray();
    if (ends.length == 0) return new long[] {Math.max(0, windowEnd - windowStart), 0};
    long longest = -1;
    long from = 0;
    long previous = ends[0];
    for (int i = 1; i <= ends.length; i++) {
      long t = i < ends.length ? ends[i] : windowEnd;
      if (t - previous > longest) {
        longest = t - previous;
        from = previous - windowStart;
      }
      previous = t;
    }
    return new long[] {Math.max(0, longest), from};
  }

  /**
   * Acknowledgements at an epoch lower than the highest epoch of the acknowledgements that completed
   * before they started. One that overlapped the first acknowledgement of a newer epoch is not counted:
   * the client cannot order the two.
   */
  static long splitBrain(List<Attempt> acks, List<String> examples) {
    List<Attempt> known =
        acks.stream().filter(a -> a.epoch() != Attempt.NO_EPOCH).toList();
    List<Attempt> byEnd =
        known.stream().sorted(Comparator.comparingLong(Attempt::endNanos)).toList();
    List<Attempt> byStart =
        known.stream().sorted(Comparator.comparingLong(Attempt::startNanos)).toList();
    long count = 0;
    int done = 0;
    Attempt newest = null; // the completed acknowledgement with the highest epoch so far
    for (Attempt a : byStart) {
      while (done < byEnd.size() && byEnd.get(done).endNanos() < a.startNanos()) {
        Attempt d = byEnd.get(done++);
        if (newest == null || d.epoch() > newest.epoch()) newest = d;
      }
      if (newest != null && a.epoch() < newest.epoch()) {
        count++;
        if (examples.size() < EXAMPLES) {
          examples.add(a.key() + " acknowledged by " + who(a) + " after " + newest.key()
              + " had been acknowledged by " + who(newest) + " ("
              + (a.startNanos() - newest.endNanos()) / 1_000_000 + " ms before it started)");
        }
      }
    }
    return count;
  }

  private static String who(Attempt a) {
    return (a.member() == null ? "?" : a.member()) + "@"
        + (a.epoch() == Attempt.NO_EPOCH ? "?" : Long.toString(a.epoch()));
  }

  /** The client-visible outage, milliseconds (rounded). */
  public long outageMillis() {
    return Math.round(outageNanos / 1e6);
  }

  /** Acknowledged writes per second over the window. */
  public double ackRate() {
    return windowNanos <= 0 ? 0 : acknowledged * 1e9 / windowNanos;
  }
}
