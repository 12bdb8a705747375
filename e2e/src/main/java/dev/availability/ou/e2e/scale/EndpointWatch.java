package dev.availability.ou.e2e.scale;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * T1 of a failover (BENCHMARKS.md): the moment a watch on the Service's EndpointSlices sees them list only a ready
 * pod other than the former primary. One informer for the namespace; a fault registers what it waits for.
 */
final class EndpointWatch implements AutoCloseable {
  static final String SERVICE_LABEL = "kubernetes.io/service-name";
  private final SharedIndexInformer<EndpointSlice> slices;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(String former, long faultNanos, CompletableFuture<Long> switchedMillis) {}

  EndpointWatch(KubernetesClient admin, String namespace) {
    slices = admin
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(EndpointSlice s) {
            changed(s);
          }

          @Override
          public void onUpdate(EndpointSlice o, EndpointSlice s) {
            changed(s);
          }

          @Override
          public void onDelete(EndpointSlice s, boolean unknown) {
            changed(s);
          }
        });
  }

  /** Completes with the milliseconds from {@code faultNanos} until the Service serves from another pod than {@code former}. */
  CompletableFuture<Long> expectSwitch(String service, String former, long faultNanos) {
    Pending p = new Pending(former, faultNanos, new CompletableFuture<>());
    pending.put(service, p);
    return p.switchedMillis;
  }

  private void changed(EndpointSlice s) {
    long now = System.nanoTime();
    String service =
        s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_LABEL);
    Pending p = service == null ? null : pending.get(service);
    if (p == null) return;
    Set<String> ready = readyPods(service);
    if (ready.size() == 1 && !ready.contains(p.former) && pending.remove(service, p)) {
      p.switchedMillis.complete((now - p.faultNanos) / 1_000_000);
    }
  }

  /** The ready pods all slices of {@code service} list (an endpoint without a ready condition counts as ready). */
  Set<String> readyPods(String service) {
    return slices.getStore().list().stream()
        .filter(s -> s.getMetadata().getLabels() != null
            && service.equals(s.getMetadata().getLabels().get(SERVICE_LABEL)))
        .flatMap(s -> s.getEndpoints() == null
            ? java.util.stream.Stream.<Endpoint>empty()
            : s.getEndpoints().stream())
        .filter(e ->
            e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
        .map(e -> e.getTargetRef() == null ? null : e.getTargetRef().getName())
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
  }

  @Override
  public void close() {
    slices.close();
  }
}
