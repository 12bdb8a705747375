package dev.availability.ou.failover;

import java.time.Duration;
import java.util.Set;

/** An effect the operator must perform, as data. Every action is idempotent. */
public sealed interface Action {

  /**
   * Create member pod {@code pod} with the given assignment, on a node other than {@code avoidNodes} (the
   * primary's and unhealthy ones), preferring {@code preferNode}. A standby kept off a node that
   * comes back is replaced by the decider, so the avoidance may be rendered required; rendering it preferred
   * also lets {@code placement.antiAffinity: Preferred} co-locate when it must.
   */
  record CreateMember(
      String pod,
      long ordinal,
      Member.Role role,
      long epoch,
      String peer,
      Set<String> avoidNodes,
      String preferNode)
      implements Action {}

  /**
   * Write the member's assignment (role, epoch, peer, and a primary's catching-up next peer or null:
   * make-before-break, docs/replication.md) on its pod.
   */
  record Assign(String pod, Member.Role role, long epoch, String peer, String nextPeer)
      implements Action {
    public Assign(String pod, Member.Role role, long epoch, String peer) {
      this(pod, role, epoch, peer, null);
    }
  }

  /** Give the primary lease to {@code holder} at {@code epoch} (not yet renewed). */
  record HoldLease(String holder, long epoch, Duration duration) implements Action {}

  /**
   * Renew {@code holder}'s lease at {@code epoch} on its behalf, on its standby's word: the primary of a unit leaving
   * Synchronous or Journal mode renewed sparsely while its standby confirmed it, and Asynchronous mode judges it by its
   * lease alone; this renewal lets its sidecar take the new mode and renew on its own before the lease can lapse.
   * It only ever delays a verdict (the sidecar's own reckoning of its lease is unchanged).
   */
  record VouchLease(String holder, long epoch) implements Action {}

  /** Point the Service selector at {@code pod}: the one write that moves traffic ({@link ServiceView#NOBODY}: at no pod). */
  record PointService(String pod) implements Action {}

  /** Delete a member pod; {@code force} (grace period 0) only for a fenced member on an unreachable node. */
  record DeleteMember(String pod, boolean force) implements Action {}

  /** Record a Kubernetes Event on the unit. */
  record Emit(EventReason reason, String message, boolean warning) implements Action {}
}
