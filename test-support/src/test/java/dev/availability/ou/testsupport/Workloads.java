package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Small builders and queries shared by the cluster tests. No container ever runs: KWOK only plays the kubelet. */
final class Workloads {

  /** An image that is never pulled (KWOK runs nothing); the name says so. */
  static final String IMAGE = "example.invalid/no-image-runs-under-kwok:1";

  private Workloads() {}

  static Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withSpec(podSpec().build())
        .build();
  }

  static PodSpecBuilder podSpec() {
    return new PodSpecBuilder()
        .addNewContainer()
        .withName("app")
        .withImage(IMAGE)
        .endContainer();
  }

  static Deployment deployment(String name, int replicas, UnaryOperator<PodSpecBuilder> spec) {
    Map<String, String> labels = Map.of("app", name);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withSpec(spec.apply(podSpec()).build())
        .endTemplate()
        .endSpec()
        .build();
  }

  static boolean isReady(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Ready nodes without a NoSchedule/NoExecute taint, by name. */
  static List<String> schedulableReadyNodes(KubernetesClient client) {
    return client.nodes().list().getItems().stream()
        .filter(Workloads::isReady)
        .filter(n -> !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
        .filter(n -> n.getSpec().getTaints() == null
            || n.getSpec().getTaints().stream()
                .noneMatch(
                    t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())))
        .map(n -> n.getMetadata().getName())
        .sorted(Comparator.naturalOrder())
        .toList();
  }

  static List<Pod> pods(KubernetesClient client, TestNamespace ns, String app) {
    return client.pods().inNamespace(ns.name()).withLabel("app", app).list().getItems();
  }

  static String seconds(long startNanos) {
    return Progress.since(startNanos);
  }
}
