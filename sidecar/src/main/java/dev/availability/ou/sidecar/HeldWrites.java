package dev.availability.ou.sidecar;

import dev.availability.ou.replication.RecordType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * The writes a primary holds while its lease renewal is in flight ({@link LeaseRenewalHold}), in arrival order, and
 * the lapse they wait through: when it began, and whether its hold is over (a lapse is held once; after the hold
 * ended, writes are refused until the primary serves again). Guarded by the {@link Replica}'s lock.
 */
final class HeldWrites {
  record Held(RecordType type, byte[] key, byte[] value, Replica.Completion c) {}

  private final ArrayDeque<Held> queue = new ArrayDeque<>();
  private boolean lapsed;
  private long lapsedSinceNanos;
  private boolean holdOver;

  /**
   * The lease is not ok at {@code nowNanos}: whether writes wait now. {@code rule} answers for how long the lapse
   * has lasted (ms); once it says no, the hold is over for this lapse.
   */
  boolean holds(long nowNanos, LongPredicate rule) {
    if (!lapsed) {
      lapsed = true;
      lapsedSinceNanos = nowNanos;
      holdOver = false;
    }
    if (holdOver) return false;
    if (rule.test((nowNanos - lapsedSinceNanos) / 1_000_000)) return true;
    holdOver = true;
    return false;
  }

  /** Whether a hold is on: a lapse seen and not given up on. */
  boolean holding() {
    return lapsed && !holdOver;
  }

  /** The primary serves again: the lapse is over. */
  void serving() {
    lapsed = false;
    holdOver = false;
  }

  void add(Held h) {
    queue.add(h);
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Takes every held write, oldest first. */
  List<Held> drain() {
    List<Held> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }
}
