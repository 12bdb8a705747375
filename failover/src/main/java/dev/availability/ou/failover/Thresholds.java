package dev.availability.ou.failover;

import java.time.Duration;

/**
 * Detection thresholds, all derived from the unit's recovery budget T_r (never from Kubernetes' node
 * eviction, which takes minutes):
 * <ul>
 *   <li>primary lease duration = 0.4 T_r; the primary's sidecar renews every 0.4 T_r / 3 and stops
 *       acknowledging writes when it could not renew for a lease duration;</li>
 *   <li>lease overdue (a weak signal) = 1.5 renewal periods = 0.2 T_r without renewal;</li>
 *   <li>readiness grace = 0.2 T_r: a primary must stay unready that long before it counts as failed,
 *       which absorbs readiness flapping;</li>
 *   <li>peer lost (reported by the sidecars) = 0.2 T_r without heartbeats.</li>
 * </ul>
 * Detection therefore takes at most 0.4 T_r, leaving 0.6 T_r for promotion and the traffic switch.
 */
public record Thresholds(
    Duration leaseDuration,
    Duration renewInterval,
    Duration leaseOverdue,
    Duration unreadyGrace,
    Duration peerLostAfter) {

  public static Thresholds of(Duration recoveryBudget) {
    long ms = recoveryBudget.toMillis();
    Duration lease = Duration.ofMillis(Math.max(200, ms * 2 / 5));
    Duration renew = lease.dividedBy(3);
    return new Thresholds(
        lease, renew, lease.dividedBy(2), Duration.ofMillis(ms / 5), Duration.ofMillis(ms / 5));
  }

  /** How often the sidecars exchange heartbeats: four in every peer-lost window, never more often than every 50 ms. */
  public Duration heartbeatInterval() {
    return Duration.ofMillis(Math.max(50, peerLostAfter.toMillis() / 4));
  }

  /** How long before its lease would lapse a primary stops acknowledging: a quarter of the lease (clock drift, a slow write). */
  public Duration leaseSafetyMargin() {
    return leaseDuration.dividedBy(4);
  }

  /** The least startup allowance: what a default Kubernetes startup probe allows (3 failures, 10 s apart). */
  static final Duration MIN_STARTUP_ALLOWANCE = Duration.ofSeconds(30);

  /**
   * How long a primary whose application is starting may stay unready before the readiness grace counts: the
   * recovery budget (the lease is two fifths of it), and never less than a default startup probe allows. A JVM
   * starting on a loaded node is not a failure (CI saw a new unit fail over once, Unready, while it was created);
   * a crash while starting is caught at once ({@code AppCrashed}, {@code AppRestarted}).
   */
  public Duration startupAllowance() {
    Duration budget = leaseDuration.multipliedBy(5).dividedBy(2);
    return budget.compareTo(MIN_STARTUP_ALLOWANCE) >= 0 ? budget : MIN_STARTUP_ALLOWANCE;
  }

  /** A node lease is stale after 1.5 kubelet renewal periods (a kubelet renews every quarter of its lease). */
  public static Duration nodeLeaseStaleAfter(Duration nodeLeaseDuration) {
    return nodeLeaseDuration.multipliedBy(3).dividedBy(8);
  }
}
