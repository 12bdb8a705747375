package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;

/**
 * Whether a primary whose lease is not ok holds writes for the renewal that is to answer, instead of refusing them
 * (issue 19: a shared standby busy taking another unit over is heard late, and the renewal its primary then sends
 * took longer than the failsafe's last heartbeat left; for that round trip every write was refused).
 *
 * <p>Why it is safe: a held write is not sequenced, applied nor acknowledged while it waits; it is sequenced only once
 * the primary serves again by the unchanged rule ({@link ServingRule#serving}: a renewed lease, or the failsafe of a
 * standby heard again), and then waits for the in-sync standby like any write. Writes already waiting for the standby
 * when the lease lapsed stay queued: they are acknowledged only when the standby acknowledges them at this epoch and
 * the primary serves by the same rule, which a promoted standby (it refuses the old epoch) never lets happen. So the
 * hold only turns "refused now" into "acknowledged later under the lease rule, or refused when the hold ends".
 *
 * <p>Only where the lease is not what keeps acknowledged writes safe (Synchronous, Journal, not acknowledging alone),
 * only while the lease was not answered as someone else's, only while a renewal is in flight or due (none failed
 * since the last was sent), and for at most {@code limitMillis} since the lapse began. Anything else refuses as
 * before. Whether a standby is connected does not matter: without one no write is acknowledged either way, and
 * requiring one refused writes whenever the primary's standby changed under a lapsed lease (a Synchronous primary
 * confirmed by its standby renews only sparsely): the pool drill saw an assignment name the old shared pod again a
 * moment after the handover, and six writes refused in the 140 ms until the renewal answered.
 *
 * <p>The application is told the primary does not serve meanwhile (the WATCH event's {@code serving} follows the
 * unchanged rule, as /readyz does): the hold is safe for writes, which wait for the standby, and not for reads, which
 * would be answered from a state a promotion the primary has not heard of may have left behind (a partitioned primary
 * still "connected" to its standby until its read timeout). So an application sends writes to its sidecar whenever it
 * is the primary, and serves reads only while it serves: the sample kvstore does (with the serving flag gating its
 * writes too, the pool drill's units still failed writes "not serving: it could not renew its lease").
 */
final class LeaseRenewalHold {
  private LeaseRenewalHold() {}

  static boolean holds(
      Role role,
      boolean selfFenced,
      boolean writerFailed,
      Mode mode,
      boolean acksAlone,
      boolean leaseTakenAway,
      boolean renewalInFlight,
      boolean renewalFailed,
      long lapsedForMillis,
      long limitMillis) {
    if (role != Role.Primary || selfFenced || writerFailed) return false;
    if (mode == Mode.ASYNCHRONOUS || acksAlone || leaseTakenAway) return false;
    if (!renewalInFlight && renewalFailed) return false;
    return lapsedForMillis < limitMillis;
  }
}
