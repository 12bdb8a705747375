package dev.availability.ou.sidecar;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The standby side's view of its stream: whether it streams, the primary's position and the catch-up target
 * told at the session's start, and from these whether it holds everything the primary acknowledged.
 */
final class StandbyProgress {
  private final Config cfg;
  private final Store store;
  private final LogWriter writer;
  private final Supplier<Mode> mode;
  private final LongSupplier peerHeartbeatAgeMillis;

  private volatile long primaryLastSeq = -1;
  private volatile boolean streaming;
  private volatile long catchUpTarget = Long.MAX_VALUE;
  private volatile boolean heldAllAtLoss;
  private volatile boolean dropped; // the primary said it acknowledges through another standby now

  StandbyProgress(
      Config cfg,
      Store store,
      LogWriter writer,
      Supplier<Mode> mode,
      LongSupplier peerHeartbeatAgeMillis) {
    this.cfg = cfg;
    this.store = store;
    this.writer = writer;
    this.mode = mode;
    this.peerHeartbeatAgeMillis = peerHeartbeatAgeMillis;
  }

  /** A new role: no stream yet, and nothing held from an earlier one. */
  void reset() {
    streaming = false;
    heldAllAtLoss = false;
    dropped = false;
  }

  void streaming(boolean on) {
    // Whether the stream stopped while this standby was in sync: in Synchronous and Journal modes
    // the primary acknowledges nothing its standby does not hold, so such a standby stays
    // promotable.
    if (!on) heldAllAtLoss = !dropped && inSync();
    else heldAllAtLoss = dropped = false;
    streaming = on;
    if (!on) catchUpTarget = Long.MAX_VALUE;
  }

  /**
   * The primary dropped this standby (make-before-break's handover, {@code Refusal.DROPPED}): it acknowledges through
   * another from now on, so this one is no longer in sync once its stream ends.
   */
  void dropped() {
    dropped = true;
  }

  boolean streaming() {
    return streaming;
  }

  void primaryPosition(long lastSeq) {
    primaryLastSeq = lastSeq;
    if (catchUpTarget == Long.MAX_VALUE) catchUpTarget = lastSeq;
  }

  long primaryLastSeq() {
    return primaryLastSeq;
  }

  /** Whether this standby holds everything its primary acknowledged, the one to promote (ServingRule.inSync). */
  boolean inSync() {
    return ServingRule.inSync(
        writer.durableSeq(),
        store.exactFromSeq(),
        streaming,
        peerHeartbeatAgeMillis.getAsLong(),
        cfg.peerLostAfterMillis(),
        catchUpTarget,
        mode.get(),
        heldAllAtLoss);
  }

  /** Updates this standby trails its primary by; null when it has not heard its primary since it started. */
  Long lag() {
    return primaryLastSeq < 0 ? null : Math.max(0, primaryLastSeq - writer.durableSeq());
  }
}
