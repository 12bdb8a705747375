package dev.availability.ou.failover.pool;

import dev.availability.ou.failover.NodeView;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pool's pod is lost with its node: the node NotReady (or Unknown without its kubelet's renewals), or its
 * lease not renewed for a whole lease duration. A lost node's pod may never report failed (its kubelet is gone), so
 * the pool counts it failed and makes a new shared pod elsewhere. A lease merely stale (3/8 of its duration) is one
 * weak signal, as it is for a unit's primary ({@code PrimaryHealthEvaluator}): a loaded kubelet misses renewals by
 * seconds (seen under the process kubelet while the pods' JVMs started: 4.4 s of an 8 s lease), and replacing the
 * shared pod for it costs every unit of the pool its in-sync standby. Pure.
 */
public final class PoolNodes {
  private PoolNodes() {}

  /** {@code node} is lost at {@code now}: not healthy, or its lease expired (strictly past its expiry). */
  public static boolean lost(NodeView node, Instant now) {
    if (!node.healthy()) return true;
    Instant expiresAt = leaseExpiresAt(node);
    return expiresAt != null && now.isAfter(expiresAt);
  }

  /** When the node's lease, as last seen renewed, expires; null when unknown. */
  private static Instant leaseExpiresAt(NodeView node) {
    if (node.leaseRenewedAt() == null || node.leaseDuration() == null) return null;
    return node.leaseRenewedAt().plus(node.leaseDuration());
  }

  /** {@code pod}, counted failed when its node ({@code nodes} by name; one not there says nothing) is lost. */
  public static SharedPod judge(SharedPod pod, Map<String, NodeView> nodes, Instant now) {
    NodeView node = pod.node() == null ? null : nodes.get(pod.node());
    if (pod.failed() || node == null || !lost(node, now)) return pod;
    return new SharedPod(
        pod.name(),
        pod.node(),
        SharedPod.State.Failed,
        pod.claimedBy(),
        pod.promotable(),
        pod.retiring());
  }

  /** When the first of {@code nodes} not lost yet turns lost if its lease is not renewed: when to look again. */
  public static Optional<Instant> nextLeaseExpiry(Collection<NodeView> nodes, Instant now) {
    return nodes.stream()
        .filter(n -> !lost(n, now))
        .map(PoolNodes::leaseExpiresAt)
        .filter(t -> t != null)
        .min(Instant::compareTo);
  }
}
