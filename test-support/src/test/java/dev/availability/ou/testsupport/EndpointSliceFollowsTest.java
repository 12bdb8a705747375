package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real EndpointSlice controller: a Service's slices list exactly the Ready pods its selector matches, and follow
 * readiness changes (written through pods/status, as a kubelet would) and selector changes. Times are printed, never
 * asserted.
 */
@KubernetesCluster
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndpointSliceFollowsTest {

  private static final Duration FOLLOW = Duration.ofSeconds(60);

  @BeforeAll
  static void pods(KubernetesClient client, TestNamespace ns) {
    var pods = client.pods().inNamespace(ns.name());
    pods.resource(Workloads.pod("web-1", Map.of("app", "web", "track", "stable")))
        .create();
    pods.resource(Workloads.pod("web-2", Map.of("app", "web", "track", "stable")))
        .create();
    pods.resource(Workloads.pod("web-3", Map.of("app", "web", "track", "canary")))
        .create();
    pods.resource(Workloads.pod("other-1", Map.of("app", "other", "track", "stable")))
        .create();
    await("4 pods Running and Ready")
        .atMost(Duration.ofSeconds(90))
        .until(() -> client.pods().inNamespace(ns.name()).list().getItems().stream()
                .filter(Workloads::isReady)
                .count()
            == 4);
    client
        .services()
        .inNamespace(ns.name())
        .resource(new ServiceBuilder()
            .withNewMetadata()
            .withName("web")
            .endMetadata()
            .withNewSpec()
            .withSelector(Map.of("app", "web"))
            .addNewPort()
            .withName("http")
            .withPort(80)
            .endPort()
            .endSpec()
            .build())
        .create();
  }

  @Test
  @Order(1)
  void listsExactlyTheReadyPodsTheSelectorMatches(KubernetesClient client, TestNamespace ns) {
    long start = System.nanoTime();
    await()
        .atMost(FOLLOW)
        .until(() -> readyEndpoints(client, ns).equals(Set.of("web-1", "web-2", "web-3")));
    Progress.log("EndpointSlice lists the 3 Ready pods " + Workloads.seconds(start)
        + " after they were Ready");
    assertThat(readyEndpoints(client, ns)).isEqualTo(expectedFromPods(client, ns));
    assertThat(allEndpoints(client, ns)).doesNotContain("other-1");
  }

  @Test
  @Order(2)
  void followsAReadinessChange(KubernetesClient client, TestNamespace ns, ClusterFaults faults) {
    long start = System.nanoTime();
    faults.setPodReady(ns.name(), "web-2", false);
    await().atMost(FOLLOW).until(() -> readyEndpoints(client, ns).equals(Set.of("web-1", "web-3")));
    Progress.log("EndpointSlice dropped the unready pod from its ready endpoints in "
        + Workloads.seconds(start));
    assertThat(readyEndpoints(client, ns)).isEqualTo(expectedFromPods(client, ns));
    assertThat(allEndpoints(client, ns))
        .as("a not-ready pod stays listed, with ready=false")
        .contains("web-2");

    start = System.nanoTime();
    faults.setPodReady(ns.name(), "web-2", true);
    await()
        .atMost(FOLLOW)
        .until(() -> readyEndpoints(client, ns).equals(Set.of("web-1", "web-2", "web-3")));
    Progress.log(
        "EndpointSlice took the pod back when it was Ready again in " + Workloads.seconds(start));
  }

  @Test
  @Order(3)
  void followsASelectorChange(KubernetesClient client, TestNamespace ns) {
    long start = System.nanoTime();
    client.services().inNamespace(ns.name()).withName("web").edit(s -> {
      s.getSpec().setSelector(Map.of("app", "web", "track", "canary"));
      return s;
    });
    await().atMost(FOLLOW).until(() -> allEndpoints(client, ns).equals(Set.of("web-3")));
    Progress.log("EndpointSlice followed the selector change in " + Workloads.seconds(start));
    assertThat(readyEndpoints(client, ns))
        .isEqualTo(Set.of("web-3"))
        .isEqualTo(expectedFromPods(client, ns));

    start = System.nanoTime();
    client.services().inNamespace(ns.name()).withName("web").edit(s -> {
      s.getSpec().setSelector(Map.of("track", "stable"));
      return s;
    });
    await()
        .atMost(FOLLOW)
        .until(() -> readyEndpoints(client, ns).equals(Set.of("web-1", "web-2", "other-1")));
    Progress.log(
        "EndpointSlice followed the second selector change in " + Workloads.seconds(start));
    assertThat(allEndpoints(client, ns)).doesNotContain("web-3");
  }

  /** The pods the Service's selector matches that are Ready now, computed from the pods themselves. */
  private static Set<String> expectedFromPods(KubernetesClient client, TestNamespace ns) {
    Service svc = client.services().inNamespace(ns.name()).withName("web").get();
    return client
        .pods()
        .inNamespace(ns.name())
        .withLabels(svc.getSpec().getSelector())
        .list()
        .getItems()
        .stream()
        .filter(Workloads::isReady)
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private static Set<String> readyEndpoints(KubernetesClient client, TestNamespace ns) {
    return endpoints(client, ns).stream()
        .filter(e ->
            e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady()))
        .map(e -> e.getTargetRef().getName())
        .collect(Collectors.toSet());
  }

  private static Set<String> allEndpoints(KubernetesClient client, TestNamespace ns) {
    return endpoints(client, ns).stream()
        .map(e -> e.getTargetRef().getName())
        .collect(Collectors.toSet());
  }

  private static java.util.List<Endpoint> endpoints(KubernetesClient client, TestNamespace ns) {
    return client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(ns.name())
        .withLabel("kubernetes.io/service-name", "web")
        .list()
        .getItems()
        .stream()
        .map(EndpointSlice::getEndpoints)
        .flatMap(java.util.List::stream)
        .filter(e -> e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind()))
        .toList();
  }
}
