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
 * <p>Only where the lease is not what keeps acknowledged writes safe (Synchronous, Journal, a standby connected, not
 * acknowledging alone: {@link LeaseFailsafe}'s conditions), only while the lease was not answered as someone else's,
 * only while a renewal is in flight or due (none failed since the last was sent), and for at most {@code
 * limitMillis} since the lapse began. Anything else refuses as before.
 *
 * <p>While writes are held the application is told the primary serves (the WATCH event's {@code serving}): an
 * application that checks it before sending a write (the sample kvstore does) would otherwise refuse the write itself,
 * and the pool drill's units still failed writes "not serving: it could not renew its lease". Reads the application
 * serves meanwhile rest on the failsafe's argument, with the connected standby standing in for its heartbeat for at
 * most the renewal's round trip: a standby promoted away ends its session (the hold with it), and a lease moved to
 * another is answered as taken away. The sidecar's readiness (/readyz) follows the unchanged serving rule.
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
      boolean standbyConnected,
      boolean renewalInFlight,
      boolean renewalFailed,
      long lapsedForMillis,
      long limitMillis) {
    if (role != Role.Primary || selfFenced || writerFailed) return false;
    if (mode == Mode.ASYNCHRONOUS || acksAlone || leaseTakenAway || !standbyConnected) return false;
    if (!renewalInFlight && renewalFailed) return false;
    return lapsedForMillis < limitMillis;
  }
}
