package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;

/**
 * What failover safety rests on, as pure functions of plain values with the time passed in: whether a primary
 * acknowledges writes ({@link #serving}) and whether a standby holds everything its primary acknowledged
 * ({@link #inSync}). {@link Replica}, {@link PrimaryLeaseState} and {@link StandbyProgress} gather the inputs.
 * Times are {@link System#nanoTime()} readings, compared by difference (they may wrap).
 */
final class ServingRule {
  private ServingRule() {}

  /**
   * A primary acknowledges writes: not fenced by itself, its log writer healthy and its lease good
   * ({@link #leaseOk}).
   */
  static boolean serving(
      Role role,
      boolean selfFenced,
      boolean writerFailed,
      boolean leaseRequired,
      long leaseValidUntilNanos,
      long nowNanos,
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean standbyConnected,
      long standbyHeardAgeMillis,
      long heartbeatMillis) {
    return role == Role.Primary
        && !selfFenced
        && !writerFailed
        && leaseOk(
            leaseRequired,
            leaseValidUntilNanos,
            nowNanos,
            mode,
            acksAlone,
            leaseTakenAway,
            standbyConnected,
            standbyHeardAgeMillis,
            heartbeatMillis);
  }

  /** No lease to keep (standalone control), or one still valid, or one lapsed while the standby confirms ({@link #failsafe}). */
  static boolean leaseOk(
      boolean leaseRequired,
      long leaseValidUntilNanos,
      long nowNanos,
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean standbyConnected,
      long standbyHeardAgeMillis,
      long heartbeatMillis) {
    return !leaseRequired
        || !leaseLapsed(leaseValidUntilNanos, nowNanos)
        || failsafe(
            leaseRequired,
            leaseValidUntilNanos,
            nowNanos,
            mode,
            acksAlone,
            leaseTakenAway,
            standbyConnected,
            standbyHeardAgeMillis,
            heartbeatMillis);
  }

  /** Serving past a lapsed lease on the standby's confirmation (see {@link LeaseFailsafe#serves}). */
  static boolean failsafe(
      boolean leaseRequired,
      long leaseValidUntilNanos,
      long nowNanos,
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean standbyConnected,
      long standbyHeardAgeMillis,
      long heartbeatMillis) {
    return leaseRequired
        && leaseLapsed(leaseValidUntilNanos, nowNanos)
        && LeaseFailsafe.serves(
            mode,
            acksAlone,
            leaseTakenAway,
            standbyConnected,
            standbyHeardAgeMillis,
            heartbeatMillis);
  }

  /** The lease is over from its valid-until instant on. */
  static boolean leaseLapsed(long leaseValidUntilNanos, long nowNanos) {
    return nowNanos - leaseValidUntilNanos >= 0;
  }

  /**
   * A standby holding everything the primary acknowledged: its state exact (a snapshot received is exact only once
   * the stream reached {@code exactFromSeq}), and streaming, caught up with the target told at the session's start
   * and the primary heard recently; or, in Synchronous and Journal modes, one that was so when its primary fell
   * silent (a primary that cannot reach its standby cannot acknowledge anything more). That is the one to promote.
   */
  static boolean inSync(
      long durableSeq,
      long exactFromSeq,
      boolean streaming,
      long primaryHeardAgeMillis,
      long peerLostAfterMillis,
      long catchUpTarget,
      Mode mode,
      boolean heldAllAtLoss) {
    if (durableSeq < exactFromSeq) return false;
    boolean live = streaming && primaryHeardAgeMillis <= peerLostAfterMillis;
    if (live) return durableSeq >= catchUpTarget;
    if (mode == Mode.ASYNCHRONOUS) return false;
    return heldAllAtLoss || (streaming && durableSeq >= catchUpTarget);
  }
}
