package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The cluster a command talks to, in the namespace it works in: the reads and the one kind of write every command shares. */
final class Cluster implements AutoCloseable {
  final KubernetesClient client;
  final String namespace;

  Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The unit, or an error that says how to find the right one. */
  OperationalUnit unit(String name) {
    OperationalUnit unit = CliException.translate(
        () -> client
            .resources(OperationalUnit.class)
            .inNamespace(namespace)
            .withName(name)
            .get(),
        "read operationalunit " + name + " in namespace " + namespace);
    if (unit == null) {
      throw new CliException("operationalunit \"" + name + "\" not found in namespace \""
          + namespace + "\": list the units with " + "kubectl get ou -n " + namespace
          + " (or pass -n NAMESPACE)");
    }
    return unit;
  }

  /** The unit's member pods (those it created: they carry its label and its owner reference), by name. */
  List<Pod> members(OperationalUnit unit) {
    String name = unit.getMetadata().getName();
    List<Pod> pods = CliException.translate(
        () -> client
            .pods()
            .inNamespace(namespace)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems(),
        "list the pods of unit " + name);
    return pods.stream()
        .filter(p -> p.getMetadata().getOwnerReferences() != null
            && p.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> unit.getMetadata().getUid().equals(o.getUid())))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /**
   * Sets (value non-null) or removes (null) one annotation of the unit with a merge patch: nothing else of the unit is
   * touched, and the operator's concurrent status writes never conflict with it.
   */
  void annotate(String unit, String key, String value) {
    Map<String, String> annotations = new HashMap<>();
    annotations.put(key, value);
    String patch =
        Json.write(Map.of("metadata", Map.of("annotations", annotations))); // null removes the key
    CliException.translate(
        () -> client
            .resources(OperationalUnit.class)
            .inNamespace(namespace)
            .withName(unit)
            .patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                patch),
        "annotate operationalunit " + unit);
  }

  @Override
  public void close() {
    client.close();
  }
}
