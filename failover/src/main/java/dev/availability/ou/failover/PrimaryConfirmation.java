package dev.availability.ou.failover;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * When the primary was last known alive, as the lease rules ({@code LeaseExpired}, {@code LeaseOverdue}) measure it.
 *
 * <p>In Asynchronous mode that is the primary's last lease renewal the operator saw: nothing else bounds a deposed
 * asynchronous primary, so its sidecar renews the Lease all the time. In Synchronous and Journal mode a primary whose
 * in-sync standby hears it renews the Lease only once every ten lease durations (the sidecar's {@code LeaseKeeper}: one
 * API write per unit per renewal is what kept the operator from scaling). There the standby vouches for it: as long as the standby's
 * report at this epoch says it is in sync and hears the primary, the primary counts as alive now; once the standby
 * reports the primary's heartbeats lost, the primary was last known alive when the standby last heard it. A primary
 * that loses its standby renews the Lease again before its standby can report the loss, so a live primary cut off
 * from its standby still shows renewals, and the two weak signals (peer lost, lease overdue) disagree as they do today.
 * Safety does not rest on this in those modes: a deposed primary cannot acknowledge without the standby, which refuses
 * the old epoch once promoted (see the sidecar's {@code LeaseFailsafe}).
 */
final class PrimaryConfirmation {
  private PrimaryConfirmation() {}

  /**
   * What the lease rules measure: when the primary was last known alive, when it has certainly stopped acknowledging
   * (its sidecar fenced itself), and the moment its fault is dated from.
   */
  record Liveness(Instant lastAlive, Instant silentAt, Instant faultAt) {}

  /**
   * The primary's liveness from its lease renewal as the operator saw it ({@code renewedAt}, may be null) and its
   * standby's vouching; null when neither says anything. A renewal keeps it serving for a lease duration. Once its
   * in-sync standby has lost it, only a renewal seen since then says it lives: a primary that loses its standby
   * renews at once (the sidecar's LeaseKeeper), and without that standby it acknowledges nothing (Synchronous,
   * Journal) and stops serving three heartbeats after the standby last heard it (LeaseFailsafe) — counted here as
   * the standby's whole peer-lost time (four heartbeats), so that the sidecar's allowance is certainly over.
   */
  static Liveness of(
      Observation o, Member primary, Instant renewedAt, java.time.Duration leaseDuration) {
    Thresholds t = o.policy().thresholds();
    Instant vouched = vouchedAt(o, primary);
    if (vouched != null && (renewedAt == null || !renewedAt.isAfter(vouched))) {
      return new Liveness(vouched, vouched.plus(t.peerLostAfter()), vouched);
    }
    return renewedAt == null
        ? null
        : new Liveness(renewedAt, renewedAt.plus(leaseDuration), renewedAt.plus(t.renewInterval()));
  }

  /**
   * When the unit's in-sync standby last heard {@code primary} (now, while it still hears it); null when it cannot say.
   * A pooled unit's primary streams to the pool's pod its seat names and, during a handover, to the one catching up
   * as well: any of them that holds the unit in sync and hears the primary vouches. The pool lets the old pod go as
   * soon as the new one holds the unit in sync, which may be a moment before the unit's status names the new one; the
   * status's standby alone then said nothing, the primary's sparse renewal looked long expired, and a healthy primary
   * was failed over (the pool drill).
   */
  static Instant vouchedAt(Observation o, Member primary) {
    // The mode its sidecar was told to run: an edit of the spec reaches it with its next assignment
    // (PrimaryUpkeep).
    if (primary.assignedMode(o.policy().mode()) == UnitPolicy.Mode.Asynchronous) return null;
    Set<String> standbys = new LinkedHashSet<>();
    standbys.add(o.state().standby());
    if (o.pool() != null) {
      standbys.add(o.pool().standby());
      standbys.add(o.pool().nextStandby());
    }
    standbys.remove(null);
    standbys.remove(primary.pod());
    Instant latest = null;
    for (String pod : standbys) {
      Instant at = vouchedBy(o, o.member(pod).orElse(null));
      if (at != null && (latest == null || at.isAfter(latest))) latest = at;
    }
    return latest;
  }

  /** When {@code sb}, a standby of the unit, last heard its primary; null when it cannot say. */
  private static Instant vouchedBy(Observation o, Member sb) {
    // (a former primary kept while its pod is deleted runs until it is released: it vouches as any
    // standby)
    if (sb == null
        || (sb.deleting() && !FormerDeparting.departing(o, sb))
        || sb.terminated()
        || Fencing.asked(o, sb.pod())) return null;
    if (sb.node() != null && !o.node(sb.node()).map(NodeView::healthy).orElse(true))
      return null; // its report is stale
    Member.Report r = sb.report();
    if (r == null
        || r.role() != Member.Role.Standby
        || r.epoch() != o.state().epoch()
        || !Boolean.TRUE.equals(r.inSync())) return null;
    if (!Boolean.TRUE.equals(r.peerLost())) return o.now();
    Instant since = r.reportedAt();
    if (since == null) return null;
    if (r.peerHeartbeatAgeMillis() != null) since = since.minusMillis(r.peerHeartbeatAgeMillis());
    return since.isAfter(o.now()) ? o.now() : since;
  }
}
