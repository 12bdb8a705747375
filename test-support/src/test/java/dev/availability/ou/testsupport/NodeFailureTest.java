package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTermBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A node whose kubelet stops heart-beating ({@code testenv/local-cluster fail-node}) is handled by the real node
 * lifecycle controller: NotReady after the grace period (12 s in the test cluster, 40-50 s in real ones), tainted
 * {@code unreachable:NoExecute}, its pods evicted after their toleration (10 s here, 300 s by default) and replaced
 * elsewhere; {@code heal-node} brings it back. The cluster is shared, so the node is healed whatever happens.
 */
@KubernetesCluster
class NodeFailureTest {

  private static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  private static final Duration NODE_CHANGE = Duration.ofSeconds(120);

  @Test
  void aFailedNodeTurnsNotReadyIsTaintedLosesItsPodsAndComesBackWhenHealed(
      KubernetesClient client, TestNamespace ns, ClusterFaults faults) {
    assumeThat(faults.canInjectControlPlaneFaults())
        .as("node failures need a cluster run by testenv/local-cluster")
        .isTrue();
    List<String> nodes = Workloads.schedulableReadyNodes(client);
    assertThat(nodes).as("schedulable Ready nodes").hasSizeGreaterThanOrEqualTo(2);
    String victim = nodes.getLast();

    // One replica that prefers the victim node; once evicted, its replacement must go elsewhere.
    client
        .apps()
        .deployments()
        .inNamespace(ns.name())
        .resource(Workloads.deployment(
            "victim",
            1,
            spec -> spec.withNewAffinity()
                .withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(
                    new PreferredSchedulingTermBuilder()
                        .withWeight(100)
                        .withNewPreference()
                        .withMatchExpressions(new NodeSelectorRequirementBuilder()
                            .withKey("kubernetes.io/hostname")
                            .withOperator("In")
                            .withValues(victim)
                            .build())
                        .endPreference()
                        .build())
                .endNodeAffinity()
                .endAffinity()))
        .create();
    await("the pod Ready on " + victim)
        .atMost(Duration.ofSeconds(90))
        .until(() -> podOn(client, ns, victim).filter(Workloads::isReady).isPresent());
    String original = podOn(client, ns, victim).orElseThrow().getMetadata().getName();

    long start = System.nanoTime();
    try {
      faults.failNode(victim);

      await(victim + " NotReady")
          .atMost(NODE_CHANGE)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> !Workloads.isReady(client.nodes().withName(victim).get()));
      Progress.log(
          victim + " NotReady " + Workloads.seconds(start) + " after it stopped heart-beating");
      assertThat(readyStatus(client.nodes().withName(victim).get())).isEqualTo("Unknown");

      await(victim + " tainted " + UNREACHABLE + ":NoExecute")
          .atMost(NODE_CHANGE)
          .until(() -> hasTaint(client.nodes().withName(victim).get(), UNREACHABLE, "NoExecute"));
      Progress.log(victim + " tainted unreachable:NoExecute " + Workloads.seconds(start)
          + " after the failure");

      await("pod " + original + " evicted").atMost(NODE_CHANGE).until(() -> {
        Pod p = client.pods().inNamespace(ns.name()).withName(original).get();
        return p == null || p.getMetadata().getDeletionTimestamp() != null;
      });
      Progress.log(
          "pod " + original + " evicted " + Workloads.seconds(start) + " after the failure");
      Pod evicted = client.pods().inNamespace(ns.name()).withName(original).get();
      if (evicted != null) {
        // no kubelet confirms the deletion of a pod on a dead node: it stays Terminating
        assertThat(evicted.getStatus().getConditions()).anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("DisruptionTarget");
          assertThat(c.getReason()).isEqualTo("DeletionByTaintManager");
        });
        assertThat(condition(evicted, "Ready")).map(PodCondition::getStatus).contains("False");
      }

      await("a replacement pod Ready on another node")
          .atMost(NODE_CHANGE)
          .until(() -> Workloads.pods(client, ns, "victim").stream()
              .anyMatch(p -> !p.getMetadata().getName().equals(original)
                  && p.getMetadata().getDeletionTimestamp() == null
                  && Workloads.isReady(p)
                  && !victim.equals(p.getSpec().getNodeName())));
      Progress.log(
          "replacement Ready elsewhere " + Workloads.seconds(start) + " after the failure");
    } finally {
      long heal = System.nanoTime();
      faults.healNode(victim);
      await(victim + " Ready and untainted again").atMost(NODE_CHANGE).until(() -> {
        Node n = client.nodes().withName(victim).get();
        return Workloads.isReady(n)
            && !hasTaint(n, UNREACHABLE, "NoExecute")
            && !hasTaint(n, UNREACHABLE, "NoSchedule")
            && !hasTaint(n, "node.kubernetes.io/not-ready", "NoExecute")
            && !hasTaint(n, "node.kubernetes.io/not-ready", "NoSchedule");
      });
      Progress.log(victim + " Ready and untainted " + Workloads.seconds(heal) + " after heal-node");
    }
    // Back under kwok, the node's "kubelet" confirms the eviction: the old pod goes for good.
    await("evicted pod " + original + " gone")
        .atMost(NODE_CHANGE)
        .until(() -> client.pods().inNamespace(ns.name()).withName(original).get() == null);
  }

  private static Optional<Pod> podOn(KubernetesClient client, TestNamespace ns, String node) {
    return Workloads.pods(client, ns, "victim").stream()
        .filter(p -> node.equals(p.getSpec().getNodeName()))
        .findFirst();
  }

  private static String readyStatus(Node node) {
    return node.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("?");
  }

  private static boolean hasTaint(Node node, String key, String effect) {
    List<Taint> taints = node.getSpec().getTaints();
    return taints != null
        && taints.stream().anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()));
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }
}
