package dev.availability.ou.failover.pool;

import dev.availability.ou.failover.NodeView;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pool's pod is lost with its node, by the node signals a unit's primary is judged by
 * ({@code PrimaryHealthEvaluator}): the node NotReady (or Unknown without its kubelet's renewals), or its lease
 * stale. A lost node's pod may never report failed (its kubelet is gone), so the pool counts it failed and makes
 * a new shared pod elsewhere. Pure.
 */
public final class PoolNodes {
  private PoolNodes() {}

  /** {@code node} is lost at {@code now}: not healthy, or its lease stale (strictly past its stale moment). */
  public static boolean lost(NodeView node, Instant now) {
    if (!node.healthy()) return true;
    Instant staleAt = node.leaseStaleAt();
    return staleAt != null && now.isAfter(staleAt);
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
  public static Optional<Instant> nextLeaseStale(Collection<NodeView> nodes, Instant now) {
    return nodes.stream()
        .filter(n -> !lost(n, now))
        .map(NodeView::leaseStaleAt)
        .filter(t -> t != null)
        .min(Instant::compareTo);
  }
}
