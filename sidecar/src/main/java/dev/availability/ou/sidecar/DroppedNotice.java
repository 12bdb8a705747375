package dev.availability.ou.sidecar;

/**
 * What a retired primary link owes the standby it streamed to (make-before-break's handover): to tell it it was
 * dropped, until it echoes that, for a bounded time. A standby whose stream just ends calls itself in sync (its primary
 * may have died); a dropped one no longer holds every acknowledged write, so it must hear it.
 *
 * <p>The bound: a standby unreachable longer than that is removed from the unit by the operator (the pool drops the
 * unit from the old pod once the new one holds it) before its stale report can matter (docs/replication.md).
 */
final class DroppedNotice {
  /** How long a retired link keeps dialling its standby to tell it. */
  static final long WITHIN_NANOS = 30_000_000_000L;

  private volatile boolean owed;
  private volatile long untilNanos;
  private volatile boolean heard;

  /** The link retired at {@code nowNanos}. */
  void owe(long nowNanos) {
    untilNanos = nowNanos + WITHIN_NANOS;
    owed = true;
  }

  boolean owed() {
    return owed;
  }

  /** Whether the link still has to tell it: not heard, within the bound, and no newer link streams to it. */
  boolean outstanding(long nowNanos, boolean endpointInUseAgain) {
    return owed && !heard && nowNanos - untilNanos < 0 && !endpointInUseAgain;
  }

  /** The standby echoed it. */
  void heard() {
    heard = true;
  }
}
