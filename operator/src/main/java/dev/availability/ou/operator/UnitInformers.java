package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers a unit is reconciled from: its pods, Service, EndpointSlices, Lease and claims (by the unit label),
 * the nodes its pods run on and their leases, with the filters that say which of their changes are events.
 * Apart from {@link OperationalUnitReconciler}, which reads them through {@link UnitCaches}.
 */
final class UnitInformers {
  private static final String NODE_INDEX = "by-node";

  private UnitInformers() {}

  /** Builds them for the reconciler's event sources; {@code renewals} times each lease renewal as it arrives. */
  static UnitCaches create(
      EventSourceContext<OperationalUnit> context, LeaseRenewalsSeen renewals) {
    var pods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, OperationalUnit.class)
            .withName("pods")
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .withSecondaryToPrimaryMapper(
                p -> unitOf(p.getMetadata().getLabels(), p.getMetadata().getNamespace()))
            .build(),
        context);
    pods.addIndexers(Map.of(
        NODE_INDEX,
        p -> p.getSpec() == null || p.getSpec().getNodeName() == null
            ? List.of()
            : List.of(p.getSpec().getNodeName())));
    var services = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Service.class, OperationalUnit.class)
            .withName("services")
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .withSecondaryToPrimaryMapper(
                s -> unitOf(s.getMetadata().getLabels(), s.getMetadata().getNamespace()))
            .build(),
        context);
    var slices = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(EndpointSlice.class, OperationalUnit.class)
            .withName("endpointslices")
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .withSecondaryToPrimaryMapper(
                s -> unitOf(s.getMetadata().getLabels(), s.getMetadata().getNamespace()))
            .build(),
        context);
    // Renewals are not events (only a new holder, a first renewal, or annotations edited — epoch,
    // duration — are): the decider asks to be called back when a lease would expire. The cache
    // follows every renewal all the same. (A unit whose standby vouches for its primary has no such
    // timer: an edited Lease must be an event to be repaired.)
    var unitLeases = new TimedLeaseSource<>(
        InformerEventSourceConfiguration.from(Lease.class, OperationalUnit.class)
            .withName("unit-leases")
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .withSecondaryToPrimaryMapper(
                l -> unitOf(l.getMetadata().getLabels(), l.getMetadata().getNamespace()))
            .withOnUpdateFilter((now, before) -> !Objects.equals(holder(now), holder(before))
                || renewed(now) != renewed(before)
                || !Objects.equals(
                    now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations()))
            .build(),
        context,
        renewals);
    var nodes = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Node.class, OperationalUnit.class)
            .withName("nodes")
            .withSecondaryToPrimaryMapper(n -> unitsOn(pods, n.getMetadata().getName()))
            .withOnUpdateFilter((now, before) -> !Objects.equals(readiness(now), readiness(before)))
            .build(),
        context);
    var nodeLeases = new TimedLeaseSource<>(
        InformerEventSourceConfiguration.from(Lease.class, OperationalUnit.class)
            .withName("node-leases")
            .withNamespaces(Set.of("kube-node-lease"))
            .withSecondaryToPrimaryMapper(l -> Set.of())
            .build(),
        context,
        renewals);
    var memberClaims = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, OperationalUnit.class)
            .withName("claims")
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .withSecondaryToPrimaryMapper(
                c -> unitOf(c.getMetadata().getLabels(), c.getMetadata().getNamespace()))
            .build(),
        context);
    return new UnitCaches(pods, services, slices, unitLeases, nodes, nodeLeases, memberClaims);
  }

  /** The units with a pod on {@code node}. */
  static Set<ResourceID> unitsOn(InformerEventSource<Pod, OperationalUnit> pods, String node) {
    return pods.byIndex(NODE_INDEX, node).stream()
        .map(p -> unitOf(p.getMetadata().getLabels(), p.getMetadata().getNamespace()))
        .flatMap(Set::stream)
        .collect(Collectors.toSet());
  }

  private static Set<ResourceID> unitOf(Map<String, String> labels, String namespace) {
    String unit = labels == null ? null : labels.get(ContractKeys.UNIT_LABEL);
    return unit == null ? Set.of() : Set.of(new ResourceID(unit, namespace));
  }

  // Anyone who may write Leases may write one without a spec: read it as unheld, never throw.
  private static String holder(Lease l) {
    return l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }

  private static boolean renewed(Lease l) {
    return l.getSpec() != null && l.getSpec().getRenewTime() != null;
  }

  /** What of a node a unit (or a pool) acts on: readiness, cordon, maintenance; not heartbeats. */
  static String readiness(Node n) {
    if (n.getStatus() == null || n.getStatus().getConditions() == null) return null;
    return n.getStatus().getConditions().stream()
            .filter(c -> "Ready".equals(c.getType()))
            .map(c -> c.getStatus())
            .findFirst()
            .orElse(null)
        + "/" + n.getSpec().getUnschedulable() + "/"
        + ObservationBuilder.maintenance(n); // a cordon or drain taint: switch over first
  }
}
