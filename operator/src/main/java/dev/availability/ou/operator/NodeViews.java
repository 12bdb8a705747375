package dev.availability.ou.operator;

import dev.availability.ou.failover.NodeMaintenance;
import dev.availability.ou.failover.NodeView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Translates a Node (and its kubelet's Lease) into the failover core's {@link NodeView}, maintenance included. */
final class NodeViews {
  private NodeViews() {}

  /** The node; its lease's renewal timed by the operator's own clock ({@link LeaseRenewalsSeen}). */
  static NodeView node(Node node, Lease lease, Instant renewalSeenAt, Instant now) {
    Optional<NodeCondition> ready =
        node.getStatus() == null || node.getStatus().getConditions() == null
            ? Optional.empty()
            : node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .findFirst();
    NodeView.Ready r = ready
        .map(c -> switch (c.getStatus()) {
          case "True" -> NodeView.Ready.True;
          case "False" -> NodeView.Ready.False;
          default -> NodeView.Ready.Unknown;
        })
        .orElse(NodeView.Ready.Unknown);
    Instant renewed = renewalSeenAt;
    Duration duration = lease == null
            || lease.getSpec() == null
            || lease.getSpec().getLeaseDurationSeconds() == null
        ? null
        : Duration.ofSeconds(lease.getSpec().getLeaseDurationSeconds());
    // Only the kubelet's own renewals (it holds its node's lease under the node's name) say the
    // node is alive.
    boolean kubeletsLease = lease != null
        && lease.getSpec() != null
        && node.getMetadata().getName().equals(lease.getSpec().getHolderIdentity());
    return new NodeView(
        node.getMetadata().getName(),
        r,
        ready.map(c -> Times.parse(c.getLastTransitionTime())).orElse(null),
        renewed,
        duration,
        kubeletsLease ? now : null,
        maintenance(node));
  }

  /**
   * Whether and why the node is being emptied, or null: cordoned ({@code spec.unschedulable}; since the node
   * controller's {@code node.kubernetes.io/unschedulable} taint was added), or a drain or scale-down taint of
   * {@link NodeMaintenance#TAINTS} (effect NoSchedule or NoExecute; a PreferNoSchedule one is only a candidacy).
   */
  static NodeView.Maintenance maintenance(Node node) {
    if (node.getSpec() == null) return null;
    List<Taint> taints =
        node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return new NodeView.Maintenance(
          "cordoned",
          taints.stream()
              .filter(t -> "node.kubernetes.io/unschedulable".equals(t.getKey()))
              .map(NodeViews::timeAdded)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null));
    }
    return taints.stream()
        .filter(t -> NodeMaintenance.TAINTS.containsKey(t.getKey())
            && !"PreferNoSchedule".equals(t.getEffect()))
        .sorted(java.util.Comparator.comparing(Taint::getKey))
        .map(t -> new NodeView.Maintenance(
            NodeMaintenance.TAINTS.get(t.getKey()) + " (taint " + t.getKey() + ")", timeAdded(t)))
        .findFirst()
        .orElse(null);
  }

  /** When the taint was added; null when it does not say, or says it in a form that is not a time. */
  private static Instant timeAdded(Taint t) {
    try {
      return Times.parse(t.getTimeAdded());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
