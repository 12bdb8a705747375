package dev.availability.ou.kubectl;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@code kubectl ou report} puts in its tarball, and what it could not, with why (README.txt). Secrets are never
 * read: the unit's peer key, the one Secret a unit has, stays out whatever it is labelled with.
 */
final class SupportReport {
  static final String OPERATOR_LABEL = "app.kubernetes.io/name";
  static final String OPERATOR_NAME = "ou-operator";
  private static final Duration CALL_LIMIT = Duration.ofSeconds(8);
  private static final int HEALTH_PORT = 7482;

  private final Cluster cluster;
  private final TarGz tar;
  private final String root;
  private final int logLines;
  private final String operatorNamespace;
  private final List<String> collected = new ArrayList<>();
  private final List<String> missing = new ArrayList<>();

  SupportReport(Cluster cluster, TarGz tar, String root, int logLines, String operatorNamespace) {
    this.cluster = cluster;
    this.tar = tar;
    this.root = root;
    this.logLines = logLines;
    this.operatorNamespace = operatorNamespace;
  }

  /** Collects everything about the unit; returns what could not be collected (also in README.txt). */
  List<String> collect(String unitName, Instant now) {
    UnitSnapshot s = UnitSnapshot.read(cluster, unitName);
    OperationalUnit unit = s.unit();
    StatusView view = StatusView.of(s, now);
    StringWriter text = new StringWriter();
    StatusText.print(view, now, new PrintWriter(text));
    add("status.txt", text.toString(), "kubectl ou status, as text");
    add("status.json", Json.pretty(view), "kubectl ou status -o json");
    add("unit.yaml", yaml(unit), "the OperationalUnit");
    add("events.yaml", yaml(s.events()), "events of the unit, its pods and its lease");
    for (Pod p : s.pods())
      add(
          "pods/" + p.getMetadata().getName() + ".yaml",
          yaml(p),
          "member pod " + p.getMetadata().getName());
    objects(unit);
    nodes(s.pods());
    for (Pod p : s.pods()) {
      logs("logs/" + p.getMetadata().getName() + "/", p);
      sidecarStatus(p);
    }
    operatorLogs();
    tar.add(root + "README.txt", readme(unitName, now));
    return missing;
  }

  /** The unit's other objects, by its label; Secrets never. */
  private void objects(OperationalUnit unit) {
    String name = unit.getMetadata().getName();
    var c = cluster.client;
    String ns = cluster.namespace;
    listed(
        "Service",
        () -> c.services()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "EndpointSlice",
        () -> c.discovery()
            .v1()
            .endpointSlices()
            .inNamespace(ns)
            .withLabel("kubernetes.io/service-name", name)
            .list()
            .getItems());
    listed(
        "Lease",
        () -> c.leases()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "PodDisruptionBudget",
        () -> c.policy()
            .v1()
            .podDisruptionBudget()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "NetworkPolicy",
        () -> c.network()
            .v1()
            .networkPolicies()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "PersistentVolumeClaim",
        () -> c.persistentVolumeClaims()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "ServiceAccount",
        () -> c.serviceAccounts()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "Role",
        () -> c.rbac()
            .roles()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
    listed(
        "RoleBinding",
        () -> c.rbac()
            .roleBindings()
            .inNamespace(ns)
            .withLabel(ContractKeys.UNIT_LABEL, name)
            .list()
            .getItems());
  }

  private void nodes(List<Pod> pods) {
    pods.stream()
        .map(p -> p.getSpec() == null ? null : p.getSpec().getNodeName())
        .filter(Objects::nonNull)
        .distinct()
        .forEach(node -> {
          try {
            var n = cluster.client.nodes().withName(node).get();
            if (n != null) add("nodes/" + node + ".yaml", yaml(n), "node " + node);
          } catch (KubernetesClientException e) {
            missing.add("node " + node + ": " + CliException.explain(e));
          }
        });
  }

  private void listed(String kind, Supplier<List<? extends HasMetadata>> list) {
    try {
      for (HasMetadata o : list.get()) {
        add(
            "objects/" + kind + "-" + o.getMetadata().getName() + ".yaml",
            yaml(o),
            kind + " " + o.getMetadata().getName());
      }
    } catch (KubernetesClientException e) {
      missing.add(kind + " objects: " + CliException.explain(e));
    }
  }

  private void logs(String dir, Pod p) {
    String pod = p.getMetadata().getName();
    String ns = p.getMetadata().getNamespace();
    for (Container c : p.getSpec().getContainers()) {
      ApiText log = ApiText.get(
          cluster.client,
          "/api/v1/namespaces/" + ns + "/pods/" + pod + "/log?container=" + c.getName()
              + "&tailLines=" + logLines,
          CALL_LIMIT);
      if (log.ok())
        add(
            dir + c.getName() + ".log",
            log.text(),
            "log of " + ns + "/" + pod + " container " + c.getName());
      else
        missing.add(
            "log of " + ns + "/" + pod + " container " + c.getName() + ": " + log.problem());
    }
  }

  /** The sidecar's /status, through the API server's pod proxy (the sidecar serves it on its health port). */
  private void sidecarStatus(Pod p) {
    String pod = p.getMetadata().getName();
    int port = p.getSpec().getContainers().stream()
        .filter(c -> ContractKeys.SIDECAR_CONTAINER.equals(c.getName()))
        .findFirst()
        .flatMap(c -> c.getPorts() == null
            ? java.util.Optional.empty()
            : c.getPorts().stream().filter(x -> "ou-health".equals(x.getName())).findFirst())
        .map(ContainerPort::getContainerPort)
        .orElse(HEALTH_PORT);
    ApiText status = ApiText.get(
        cluster.client,
        "/api/v1/namespaces/" + cluster.namespace + "/pods/" + pod + ":" + port + "/proxy/status",
        CALL_LIMIT);
    if (status.ok())
      add("sidecars/" + pod + "-status.json", status.text(), "the sidecar's /status of " + pod);
    else
      missing.add("the sidecar's /status of " + pod + " (pod proxy, port " + port + "): "
          + status.problem());
  }

  /** The operator's pods (the chart labels them app.kubernetes.io/name=ou-operator): every namespace, else the one given. */
  private void operatorLogs() {
    List<Pod> pods;
    try {
      pods = operatorNamespace == null
          ? cluster
              .client
              .pods()
              .inAnyNamespace()
              .withLabel(OPERATOR_LABEL, OPERATOR_NAME)
              .list()
              .getItems()
          : cluster
              .client
              .pods()
              .inNamespace(operatorNamespace)
              .withLabel(OPERATOR_LABEL, OPERATOR_NAME)
              .list()
              .getItems();
    } catch (KubernetesClientException e) {
      missing.add("the operator's logs: cannot list its pods (" + CliException.explain(e)
          + "); pass --operator-namespace NAMESPACE");
      return;
    }
    if (pods.isEmpty()) {
      missing.add("the operator's logs: no pod labelled " + OPERATOR_LABEL + "=" + OPERATOR_NAME
          + (operatorNamespace == null ? " in any namespace" : " in namespace " + operatorNamespace)
          + " (an operator run outside the cluster: attach its log yourself)");
    }
    for (Pod p : pods)
      logs(
          "logs/operator/" + p.getMetadata().getNamespace() + "-"
              + p.getMetadata().getName() + "/",
          p);
  }

  private void add(String path, String text, String what) {
    tar.add(root + path, text);
    collected.add(path + "  (" + what + ")");
  }

  private String readme(String unit, Instant now) {
    StringBuilder b = new StringBuilder();
    b.append("Support report for OperationalUnit ")
        .append(unit)
        .append(" in namespace ")
        .append(cluster.namespace)
        .append(", collected ")
        .append(now)
        .append(" by kubectl ou report.\n\n");
    b.append("No Secrets: none is read (the unit's peer key Secret ")
        .append(ContractKeys.peerSecretName(unit))
        .append(
            " stays out). Pod specs are included as they are: values you wrote literally into the pod template are in them.\n\n");
    b.append("Collected:\n");
    collected.forEach(c -> b.append("  ").append(c).append('\n'));
    b.append("\nNot collected (why):\n");
    if (missing.isEmpty()) b.append("  nothing left out\n");
    missing.forEach(m -> b.append("  ").append(m).append('\n'));
    return b.toString();
  }

  /** YAML as kubectl prints it (quotes only where needed), without managedFields (bulky, and no help to support). */
  private static String yaml(Object o) {
    if (o instanceof HasMetadata h && h.getMetadata() != null)
      h.getMetadata().setManagedFields(null);
    if (o instanceof List<?> l)
      l.forEach(x -> {
        if (x instanceof HasMetadata h && h.getMetadata() != null)
          h.getMetadata().setManagedFields(null);
      });
    try {
      return YAML.writeValueAsString(YAML.readTree(Serialization.asJson(o)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build();
}
