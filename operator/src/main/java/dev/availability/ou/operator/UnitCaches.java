package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** The informers the reconciler reads from (and writes its own changes into). */
record UnitCaches(
    InformerEventSource<Pod, OperationalUnit> pods,
    InformerEventSource<Service, OperationalUnit> services,
    InformerEventSource<EndpointSlice, OperationalUnit> endpointSlices,
    InformerEventSource<Lease, OperationalUnit> unitLeases,
    InformerEventSource<Node, OperationalUnit> nodes,
    InformerEventSource<Lease, OperationalUnit> nodeLeases,
    InformerEventSource<PersistentVolumeClaim, OperationalUnit> claims) {}
