package dev.availability.ou.operator;

import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.pool.PoolNodes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The nodes of a pool's pods as the failover core sees nodes ({@link NodeView}): readiness from the Node, the
 * kubelet's renewals timed by the operator's own clock ({@link LeaseRenewalsSeen}, blind while the lease watch is
 * down), so the pool counts a pod on a lost node failed by the same signals a unit's primary is judged by. A Node's
 * readiness changing reconciles the pools with a pod on it; renewals do not (the pool looks again when a lease would
 * turn stale).
 */
final class PoolNodeWatch {
  private final LeaseRenewalsSeen renewals = new LeaseRenewalsSeen(Clock.systemUTC());
  private volatile InformerEventSource<Node, StandbyPool> nodes;
  private volatile TimedLeaseSource<StandbyPool> leases;

  /** {@code pods}: the pools' pods (their informer), read when a Node changes. */
  List<EventSource<?, StandbyPool>> eventSources(
      EventSourceContext<StandbyPool> context,
      Supplier<InformerEventSource<Pod, StandbyPool>> pods) {
    nodes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Node.class, StandbyPool.class)
            .withName("pool-nodes")
            .withSecondaryToPrimaryMapper(
                n -> poolsOn(pods.get(), n.getMetadata().getName()))
            .withOnUpdateFilter((now, before) ->
                !Objects.equals(UnitInformers.readiness(now), UnitInformers.readiness(before)))
            .build(),
        context);
    leases = new TimedLeaseSource<>(
        InformerEventSourceConfiguration.from(Lease.class, StandbyPool.class)
            .withName("pool-node-leases")
            .withNamespaces(Set.of("kube-node-lease"))
            .withSecondaryToPrimaryMapper(l -> Set.of())
            .build(),
        context,
        renewals);
    return List.of(nodes, leases);
  }

  /** The nodes {@code pods} run on, by name; a node not in the cache is left out (it says nothing). */
  Map<String, NodeView> views(Collection<Pod> pods, Instant now) {
    Map<String, NodeView> views = new HashMap<>();
    for (Pod p : pods) {
      String name = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (name == null || views.containsKey(name)) continue;
      nodes.get(new ResourceID(name)).ifPresent(node -> {
        Lease lease = leases.get(new ResourceID(name, "kube-node-lease")).orElse(null);
        views.put(name, NodeViews.node(node, lease, renewals.seenAt(lease, now), now));
      });
    }
    return views;
  }

  /**
   * The nodes a new shared pod could run on now: ready, their lease renewed (not lost, {@link PoolNodes#lost}) and not
   * being emptied; null when unknown: the node cache not there yet, or it lists no node at all (an API server
   * without nodes, as in tests on a bare API server), where the pool makes its pod wherever its rule allows.
   */
  Set<String> placeable(Instant now) {
    if (nodes == null || nodes.list().findAny().isEmpty()) return null;
    return nodes
        .list()
        .filter(node -> {
          String name = node.getMetadata().getName();
          Lease lease = leases.get(new ResourceID(name, "kube-node-lease")).orElse(null);
          NodeView view = NodeViews.node(node, lease, renewals.seenAt(lease, now), now);
          return !PoolNodes.lost(view, now) && view.maintenance() == null;
        })
        .map(node -> node.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private static Set<ResourceID> poolsOn(InformerEventSource<Pod, StandbyPool> pods, String node) {
    if (pods == null) return Set.of();
    return pods.list(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName()))
        .map(p -> new ResourceID(
            p.getMetadata().getLabels().get(ContractKeys.POOL_LABEL),
            p.getMetadata().getNamespace()))
        .collect(Collectors.toSet());
  }
}
