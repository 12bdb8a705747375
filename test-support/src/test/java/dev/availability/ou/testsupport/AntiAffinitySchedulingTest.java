package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The real kube-scheduler honours required pod anti-affinity over the cluster's fake nodes. */
@KubernetesCluster
class AntiAffinitySchedulingTest {

  @Test
  void requiredAntiAffinityPutsOnePodOnEachNodeAndLeavesTheNextOnePending(
      KubernetesClient client, TestNamespace ns) {
    List<String> nodes = Workloads.schedulableReadyNodes(client);
    assertThat(nodes)
        .as("schedulable Ready nodes of the test cluster")
        .hasSizeGreaterThanOrEqualTo(4);
    int n = nodes.size();

    client
        .apps()
        .deployments()
        .inNamespace(ns.name())
        .resource(Workloads.deployment(
            "spread",
            n,
            spec -> spec.withNewAffinity()
                .withNewPodAntiAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                    .withTopologyKey("kubernetes.io/hostname")
                    .withLabelSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("app", "spread"))
                        .build())
                    .build())
                .endPodAntiAffinity()
                .endAffinity()))
        .create();

    long start = System.nanoTime();
    await("one pod on each of the " + n + " nodes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> scheduledNodes(client, ns).size() == n);
    Progress.log(n + " anti-affine pods scheduled in " + Workloads.seconds(start));
    assertThat(Set.copyOf(scheduledNodes(client, ns))).containsExactlyInAnyOrderElementsOf(nodes);

    client.apps().deployments().inNamespace(ns.name()).withName("spread").scale(n + 1);

    await("a pod the scheduler cannot place")
        .atMost(Duration.ofSeconds(60))
        .until(() -> unschedulable(client, ns).size() == 1);
    Pod pending = unschedulable(client, ns).getFirst();
    await("a FailedScheduling event for " + pending.getMetadata().getName())
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> failedScheduling(client, ns, pending.getMetadata().getName()).size() >= 1);
    Event event = failedScheduling(client, ns, pending.getMetadata().getName()).getFirst();
    Progress.log("FailedScheduling: " + event.getMessage());
    assertThat(event.getMessage()).contains("anti-affinity");

    // Still pending a little later, and the others have not moved.
    sleep(Duration.ofSeconds(3));
    Pod again = client
        .pods()
        .inNamespace(ns.name())
        .withName(pending.getMetadata().getName())
        .get();
    assertThat(again.getSpec().getNodeName()).isNull();
    assertThat(again.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(scheduledNodes(client, ns)).hasSize(n).doesNotHaveDuplicates();
  }

  private static List<String> scheduledNodes(KubernetesClient client, TestNamespace ns) {
    return Workloads.pods(client, ns, "spread").stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> p.getSpec().getNodeName())
        .filter(name -> name != null)
        .toList();
  }

  private static List<Pod> unschedulable(KubernetesClient client, TestNamespace ns) {
    return Workloads.pods(client, ns, "spread").stream()
        .filter(p ->
            p.getSpec().getNodeName() == null && "Pending".equals(p.getStatus().getPhase()))
        .filter(p -> p.getStatus().getConditions().stream()
            .anyMatch(c -> "PodScheduled".equals(c.getType())
                && "False".equals(c.getStatus())
                && "Unschedulable".equals(c.getReason())))
        .collect(Collectors.toList());
  }

  private static List<Event> failedScheduling(
      KubernetesClient client, TestNamespace ns, String pod) {
    return client.v1().events().inNamespace(ns.name()).list().getItems().stream()
        .filter(e -> "FailedScheduling".equals(e.getReason())
            && pod.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
