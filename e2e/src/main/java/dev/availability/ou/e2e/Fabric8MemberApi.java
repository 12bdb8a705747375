package dev.availability.ou.e2e;

import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.memberapi.MemberApi;
import dev.availability.ou.memberapi.MemberApiException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link MemberApi} on a Fabric8 {@link KubernetesClient} (an informer for the watch), for the test doubles
 * ({@link SidecarDoubles}), which have a Fabric8 client anyway; the sidecar uses
 * {@link dev.availability.ou.memberapi.HttpMemberApi}. The client is the caller's: {@link #close()} leaves it open.
 */
public final class Fabric8MemberApi implements MemberApi {
  private final KubernetesClient client;
  private final String namespace;

  public Fabric8MemberApi(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    return call(
        "watch pod " + name,
        () -> client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .inform(new ResourceEventHandler<>() {
              @Override
              public void onAdd(Pod p) {
                onPod.accept(meta(p));
              }

              @Override
              public void onUpdate(Pod old, Pod p) {
                onPod.accept(meta(p));
              }

              @Override
              public void onDelete(Pod p, boolean unknownState) {}
            }))::close;
  }

  @Override
  public void mergePatchPod(String name, String mergePatchJson) {
    call(
        "patch pod " + name,
        () -> client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatchJson));
  }

  @Override
  public PodMeta getPod(String name) {
    Pod p = call(
        "get pod " + name,
        () -> client.pods().inNamespace(namespace).withName(name).get());
    return p == null ? null : meta(p);
  }

  @Override
  public LeaseState getLease(String name) {
    Lease l = call(
        "get lease " + name,
        () -> client.leases().inNamespace(namespace).withName(name).get());
    return l == null ? null : state(l);
  }

  @Override
  public LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration) {
    Lease l = (Lease) lease.handle();
    l.getSpec().setRenewTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC));
    if (duration != null) {
      if (l.getMetadata().getAnnotations() == null)
        l.getMetadata().setAnnotations(new java.util.HashMap<>());
      l.getMetadata()
          .getAnnotations()
          .put(ContractKeys.LEASE_DURATION_MS_ANNOTATION, String.valueOf(duration.toMillis()));
      l.getSpec().setLeaseDurationSeconds((int) Math.max(1, (duration.toMillis() + 999) / 1000));
    }
    return state(call(
        "update lease " + lease.name(),
        () -> client.leases().inNamespace(namespace).resource(l).update()));
  }

  @Override
  public void close() {}

  private static PodMeta meta(Pod p) {
    return new PodMeta(
        p.getMetadata().getName(),
        p.getMetadata().getLabels(),
        p.getMetadata().getAnnotations(),
        p.getStatus() == null ? null : p.getStatus().getPodIP());
  }

  private static LeaseState state(Lease l) {
    return new LeaseState(
        l.getMetadata().getName(),
        l.getMetadata().getResourceVersion(),
        l.getSpec() == null ? null : l.getSpec().getHolderIdentity(),
        l.getSpec() == null ? null : l.getSpec().getLeaseDurationSeconds(),
        l.getMetadata().getAnnotations(),
        l);
  }

  private <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw new MemberApiException(
          e.getCode(), what + " in namespace " + namespace + " failed: " + e.getMessage(), e);
    }
  }
}
