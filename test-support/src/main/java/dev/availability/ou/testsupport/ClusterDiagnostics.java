package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Prints what a failed test needs to see: the namespace's events, pods (node, phase, conditions, containers),
 * services, EndpointSlices, the nodes, and the custom resources of group {@value #OU_GROUP} when its CRDs exist.
 * Uses generic resources for the custom ones, so it does not depend on the operator's model.
 */
public final class ClusterDiagnostics {

  public static final String OU_GROUP = "ou.availability.dev";

  private ClusterDiagnostics() {}

  /** Prints the report; never throws (a broken cluster must not hide the test's own failure). */
  public static void print(KubernetesClient client, String namespace, PrintStream out) {
    out.println(
        "===== cluster state of namespace " + namespace + " (printed because a test failed) =====");
    section(out, "nodes", () -> nodes(client, out));
    section(out, "pods", () -> pods(client, namespace, out));
    section(out, "services", () -> services(client, namespace, out));
    section(out, "endpointslices", () -> endpointSlices(client, namespace, out));
    section(out, OU_GROUP + " resources", () -> customResources(client, namespace, out));
    section(out, "events", () -> events(client, namespace, out));
    out.println("===== end of cluster state of namespace " + namespace + " =====");
    out.flush();
  }

  private static void section(PrintStream out, String title, Runnable body) {
    out.println("--- " + title);
    try {
      body.run();
    } catch (RuntimeException e) {
      out.println("  (could not read " + title + ": " + e + ")");
    }
  }

  private static void nodes(KubernetesClient client, PrintStream out) {
    for (Node n : client.nodes().list().getItems()) {
      String ready = n.getStatus() == null
          ? "?"
          : n.getStatus().getConditions().stream()
              .filter(c -> "Ready".equals(c.getType()))
              .map(c -> c.getStatus())
              .findFirst()
              .orElse("?");
      String taints = n.getSpec().getTaints() == null
          ? ""
          : n.getSpec().getTaints().stream()
              .map(t -> t.getKey() + ":" + t.getEffect())
              .collect(Collectors.joining(","));
      out.printf(
          "  %-20s Ready=%-7s zone=%-8s taints=[%s]%n",
          n.getMetadata().getName(),
          ready,
          n.getMetadata().getLabels().getOrDefault("topology.kubernetes.io/zone", "-"),
          taints);
    }
  }

  private static void pods(KubernetesClient client, String namespace, PrintStream out) {
    for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
      var s = p.getStatus();
      out.printf(
          "  %s node=%s phase=%s ip=%s%s labels=%s%n",
          p.getMetadata().getName(),
          Optional.ofNullable(p.getSpec().getNodeName()).orElse("<none>"),
          s == null ? "?" : s.getPhase(),
          s == null ? "" : s.getPodIP(),
          p.getMetadata().getDeletionTimestamp() == null
              ? ""
              : " deleting-since=" + p.getMetadata().getDeletionTimestamp(),
          p.getMetadata().getLabels());
      if (s == null) {
        continue;
      }
      s.getConditions()
          .forEach(c -> out.printf(
              "      condition %s=%s%s%n",
              c.getType(),
              c.getStatus(),
              c.getReason() == null
                  ? ""
                  : " (" + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage())
                      + ")"));
      for (ContainerStatus cs : s.getContainerStatuses()) {
        out.printf(
            "      container %s ready=%s restarts=%s state=%s%n",
            cs.getName(), cs.getReady(), cs.getRestartCount(), state(cs));
      }
    }
  }

  private static String state(ContainerStatus cs) {
    var st = cs.getState();
    if (st == null) {
      return "?";
    }
    if (st.getRunning() != null) {
      return "running since " + st.getRunning().getStartedAt();
    }
    if (st.getTerminated() != null) {
      return "terminated exit=" + st.getTerminated().getExitCode() + " "
          + st.getTerminated().getReason();
    }
    if (st.getWaiting() != null) {
      return "waiting " + st.getWaiting().getReason();
    }
    return "?";
  }

  private static void services(KubernetesClient client, String namespace, PrintStream out) {
    for (Service s : client.services().inNamespace(namespace).list().getItems()) {
      out.printf(
          "  %s type=%s selector=%s ports=%s%n",
          s.getMetadata().getName(),
          s.getSpec().getType(),
          s.getSpec().getSelector(),
          s.getSpec().getPorts().stream()
              .map(p -> p.getPort() + "/" + p.getProtocol())
              .collect(Collectors.joining(",")));
    }
  }

  private static void endpointSlices(KubernetesClient client, String namespace, PrintStream out) {
    for (EndpointSlice es :
        client.discovery().v1().endpointSlices().inNamespace(namespace).list().getItems()) {
      out.printf(
          "  %s service=%s%n",
          es.getMetadata().getName(),
          es.getMetadata().getLabels().get("kubernetes.io/service-name"));
      for (Endpoint e : es.getEndpoints()) {
        out.printf(
            "      %s pod=%s node=%s ready=%s serving=%s terminating=%s%n",
            e.getAddresses(),
            e.getTargetRef() == null ? "-" : e.getTargetRef().getName(),
            e.getNodeName(),
            e.getConditions() == null ? null : e.getConditions().getReady(),
            e.getConditions() == null ? null : e.getConditions().getServing(),
            e.getConditions() == null ? null : e.getConditions().getTerminating());
      }
    }
  }

  private static void customResources(KubernetesClient client, String namespace, PrintStream out) {
    List<CustomResourceDefinition> crds =
        client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
            .filter(c -> OU_GROUP.equals(c.getSpec().getGroup()))
            .toList();
    if (crds.isEmpty()) {
      out.println("  (no CRD of group " + OU_GROUP + " installed)");
      return;
    }
    for (CustomResourceDefinition crd : crds) {
      String version = crd.getSpec().getVersions().stream()
          .filter(CustomResourceDefinitionVersion::getStorage)
          .map(CustomResourceDefinitionVersion::getName)
          .findFirst()
          .orElse(crd.getSpec().getVersions().getFirst().getName());
      boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
      ResourceDefinitionContext ctx = new ResourceDefinitionContext.Builder()
          .withGroup(OU_GROUP)
          .withVersion(version)
          .withPlural(crd.getSpec().getNames().getPlural())
          .withKind(crd.getSpec().getNames().getKind())
          .withNamespaced(namespaced)
          .build();
      List<GenericKubernetesResource> items = namespaced
          ? client.genericKubernetesResources(ctx).inNamespace(namespace).list().getItems()
          : client.genericKubernetesResources(ctx).list().getItems();
      out.println("  " + crd.getMetadata().getName() + ": " + items.size() + " object(s)");
      for (GenericKubernetesResource r : items) {
        r.getMetadata().setManagedFields(null);
        if (r.getMetadata().getAnnotations() != null) {
          r.getMetadata()
              .getAnnotations()
              .remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        out.println(indent(client.getKubernetesSerialization().asYaml(r)));
      }
    }
  }

  private static void events(KubernetesClient client, String namespace, PrintStream out) {
    List<Event> events = client.v1().events().inNamespace(namespace).list().getItems().stream()
        .sorted(Comparator.comparing(
            ClusterDiagnostics::eventTime, Comparator.nullsFirst(Comparator.naturalOrder())))
        .toList();
    for (Event e : events) {
      out.printf(
          "  %s %s %s/%s %s: %s%s%n",
          eventTime(e),
          e.getType(),
          e.getInvolvedObject().getKind(),
          e.getInvolvedObject().getName(),
          e.getReason(),
          Objects.toString(e.getMessage(), "").strip(),
          e.getCount() != null && e.getCount() > 1 ? " (x" + e.getCount() + ")" : "");
    }
  }

  private static String eventTime(Event e) {
    if (e.getLastTimestamp() != null) {
      return e.getLastTimestamp();
    }
    if (e.getEventTime() != null) {
      return e.getEventTime().getTime();
    }
    return e.getMetadata().getCreationTimestamp();
  }

  private static String indent(String yaml) {
    return yaml.lines().map(l -> "      " + l).collect(Collectors.joining("\n"));
  }
}
