package dev.availability.ou.failover;

import dev.availability.ou.failover.Member.Role;
import java.time.Instant;

/**
 * When the former primary has certainly stopped acknowledging writes, so that promoting another member cannot
 * make two acknowledging primaries. Asynchronous mode needs it: there a former primary acknowledges on its own,
 * so nothing but its fencing stops it (in Synchronous and Journal mode a write needs its standby, and a promoted
 * standby refuses the old epoch).
 *
 * <p>Silent for certain once its sidecar confirmed the fencing (its report, at the failover's epoch or later), or
 * once the lease it renews has lapsed by the operator's own clock: the lease's renewal time is the time the
 * operator first saw that renewal (never the holder's wall clock), and the holder stops acknowledging a lease
 * duration after it sent the renewal, which was before the operator saw it (as Kubernetes leader election
 * measures a lease: elapsed time since the renewal was observed).
 */
final class FormerPrimarySilence {
  private FormerPrimarySilence() {}

  /** The instant from which the former primary of {@code i} is certainly silent; null when it already is. */
  static Instant silentFrom(Observation o, Intent i, Member former) {
    if (former != null
        && former.report() != null
        && former.report().role() != Role.Primary
        && former.report().epoch() >= i.epoch()) {
      return null; // it says it is fenced at the new epoch: it acknowledges nothing more
    }
    PrimaryLease lease = o.lease();
    // The lease is handed to the target only once the former was silent (a restarted operator finds
    // it so).
    if (lease != null && i.target().equals(lease.holder()) && lease.epoch() >= i.epoch())
      return null;
    var duration = o.policy().thresholds().leaseDuration();
    if (lease != null && i.former().equals(lease.holder()) && lease.renewedAt() != null)
      return lease.renewedAt().plus(duration);
    // Its renewals are unknown (the lease names nobody it renews, or was never renewed): the
    // decision to fail it over was taken after any renewal seen so far.
    return i.decidedAt().plus(duration);
  }
}
