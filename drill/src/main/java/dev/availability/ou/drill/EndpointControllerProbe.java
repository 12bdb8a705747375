package dev.availability.ou.drill;

import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;

/**
 * Whether the control plane's own endpoint controller works again after an API server outage: a Service created now
 * selects a label that is put on the unit's primary pod only afterwards, and gets it as an endpoint. That needs all
 * three of the controller's watches back: Services (the new one), EndpointSlices (its empty slice, updated next) and
 * Pods (the label). A Service selecting pods that already exist proves only the first: the pod watch can still be
 * away, and a failover then waits for it to see the new primary Ready (seen in CI: traffic moved 16.9 s after a
 * crash). kube-controller-manager's watches back off up to 30 s (doubled by jitter) while the API server is away and
 * are not retried sooner when it returns, so for up to a minute after a long outage no Service's endpoints follow
 * any change, whatever an operator writes. Drills wait for this before they count another failover's time.
 */
final class EndpointControllerProbe {
  private EndpointControllerProbe() {}

  /** Waits until a fresh Service in {@code d}'s namespace has its endpoint; returns how long that took. */
  static Duration awaitResumed(Drill d, Duration atMost) throws InterruptedException {
    long start = System.nanoTime();
    String name = "ou-endpoint-probe";
    String nonce = Long.toHexString(System.nanoTime());
    Service probe = new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addToSelector(PROBE_LABEL, nonce)
        .addNewPort()
        .withPort(80)
        .withNewTargetPort(80)
        .endPort()
        .endSpec()
        .build();
    d.cluster.client.services().inNamespace(d.namespace).resource(probe).create();
    String pod = d.primary();
    try {
      label(d, pod, nonce);
      long deadline = start + atMost.toNanos();
      long nextNote = start + Duration.ofSeconds(10).toNanos();
      while (!hasEndpoints(d, name)) {
        long now = System.nanoTime();
        if (now - deadline > 0) {
          throw new IllegalStateException(
              "the control plane's endpoint controller made no EndpointSlice for a new Service in "
                  + d.namespace + " within " + atMost.toSeconds()
                  + " s after the API server returned: see kube-controller-manager's log (testenv/local-cluster logs)");
        }
        if (now - nextNote > 0) {
          Progress.log(
              "drill " + d.namespace + ": waiting for kube-controller-manager's watches to resume ("
                  + Duration.ofNanos(now - start).toSeconds() + " s)");
          nextNote = now + Duration.ofSeconds(10).toNanos();
        }
        Thread.sleep(200);
      }
      return Duration.ofNanos(System.nanoTime() - start);
    } finally {
      d.cluster.client.services().inNamespace(d.namespace).withName(name).delete();
      label(d, pod, null);
    }
  }

  private static final String PROBE_LABEL = "drill.ou.availability.dev/endpoint-probe";

  /** Puts the probe's label on {@code pod}, or takes it off when {@code value} is null. */
  private static void label(Drill d, String pod, String value) {
    String json = value == null ? "null" : "\"" + value + "\"";
    d.cluster
        .client
        .pods()
        .inNamespace(d.namespace)
        .withName(pod)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"" + PROBE_LABEL + "\":" + json + "}}}");
  }

  private static boolean hasEndpoints(Drill d, String service) {
    List<EndpointSlice> slices = d.cluster
        .client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(d.namespace)
        .withLabel("kubernetes.io/service-name", service)
        .list()
        .getItems();
    return slices.stream()
        .anyMatch(s -> s.getEndpoints() != null && !s.getEndpoints().isEmpty());
  }
}
