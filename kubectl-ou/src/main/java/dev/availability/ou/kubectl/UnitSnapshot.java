package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the API server says about a unit at one moment: the unit, its member pods, its primary Lease, the events about them. */
record UnitSnapshot(OperationalUnit unit, List<Pod> pods, Lease lease, List<Event> events) {

  static UnitSnapshot read(Cluster cluster, String name) {
    OperationalUnit unit = cluster.unit(name);
    List<Pod> pods = cluster.members(unit);
    String leaseName = ContractKeys.primaryLeaseName(name);
    Lease lease = CliException.translate(
        () -> cluster
            .client
            .leases()
            .inNamespace(cluster.namespace)
            .withName(leaseName)
            .get(),
        "read the lease " + leaseName);
    Set<String> names = new HashSet<>(Set.of(name, leaseName));
    pods.forEach(p -> names.add(p.getMetadata().getName()));
    List<Event> events = CliException.translate(
            () -> cluster
                .client
                .v1()
                .events()
                .inNamespace(cluster.namespace)
                .list()
                .getItems(),
            "list the events of namespace " + cluster.namespace)
        .stream()
        .filter(e -> e.getInvolvedObject() != null
            && names.contains(e.getInvolvedObject().getName()))
        .toList();
    return new UnitSnapshot(unit, pods, lease, events);
  }
}
