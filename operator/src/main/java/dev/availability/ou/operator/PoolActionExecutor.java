package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.pool.PoolAction;
import dev.availability.ou.failover.pool.PoolAction.AddUnit;
import dev.availability.ou.failover.pool.PoolAction.CreateSharedPod;
import dev.availability.ou.failover.pool.PoolAction.DeletePod;
import dev.availability.ou.failover.pool.PoolAction.HandOver;
import dev.availability.ou.failover.pool.PoolAction.RemoveUnit;
import dev.availability.ou.failover.pool.PoolAction.StandbyUnplaceable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out {@link dev.availability.ou.failover.pool.PoolPlanner}'s actions for one pool, each idempotently, and
 * puts what it wrote into the pool pods' cache so the next plan sees it before the watch does.
 */
final class PoolActionExecutor {
  private final KubernetesClient client;
  private final InformerEventSource<Pod, StandbyPool> pods;
  private final SharedPodBuilder builder;
  private final EventRecorder events;
  private final Set<String> handOversTold = ConcurrentHashMap.newKeySet();
  /** Per pool, the reason it last said it has no place for a shared standby (told again once it changes). */
  private final Map<String, String> unplaceableTold = new ConcurrentHashMap<>();

  PoolActionExecutor(
      KubernetesClient client,
      InformerEventSource<Pod, StandbyPool> pods,
      SharedPodBuilder builder,
      EventRecorder events) {
    this.client = client;
    this.pods = pods;
    this.builder = builder;
    this.events = events;
  }

  /** {@code reference}: the pool's first member, whose template the shared pod runs. */
  void execute(StandbyPool pool, OperationalUnit reference, PoolAction action) {
    String ns = pool.getMetadata().getNamespace();
    switch (action) {
      case CreateSharedPod c -> create(pool, reference, c);
      // The standby mounts every admitted unit's key (a pod that lacks one is retiring: PoolPods).
      case AddUnit a ->
        patch(
            ns,
            a.pod(),
            Map.of(
                "labels",
                Map.of(ContractKeys.poolUnitLabel(a.unit()), ContractKeys.POOL_UNIT_LABEL_VALUE)));
      case RemoveUnit r -> {
        // null removes the key in a merge patch: the pooled sidecar then drops the unit's replica
        // and data.
        var metadata = Serialization.jsonMapper().createObjectNode();
        metadata.putObject("labels").putNull(ContractKeys.poolUnitLabel(r.unit()));
        metadata.putObject("annotations").putNull(ContractKeys.assignmentAnnotation(r.unit()));
        patch(ns, r.pod(), metadata);
      }
      case DeletePod d -> {
        // A pod on a lost node stays Terminating until its node returns: deleted once, said once.
        boolean deleting = pods.get(new ResourceID(d.pod(), ns))
            .map(p -> p.getMetadata().getDeletionTimestamp() != null)
            .orElse(false);
        if (deleting) return;
        client.pods().inNamespace(ns).withName(d.pod()).delete();
        events.record(
            pool,
            PoolEventReason.SharedStandbyDeleted,
            "deleted " + d.pod() + ": " + d.why(),
            false);
      }
      case StandbyUnplaceable u -> {
        // Said once while the reason lasts: the planner asks again at every reconcile.
        if (!u.why().equals(unplaceableTold.put(ns + "/" + pool.getMetadata().getName(), u.why())))
          events.record(
              pool,
              PoolEventReason.SharedStandbyUnplaceable,
              "no shared standby for " + String.join(", ", u.units()) + ": " + u.why(),
              true);
      }
      case HandOver h -> handOver(pool, h);
    }
  }

  /**
   * The claimed pod serves only its unit now (docs/pools.md, takeover step 6): it is re-owned by that unit, so that
   * deleting the pool no longer deletes the unit's primary (garbage collection follows owners) and deleting the unit
   * deletes it, as its own member. It keeps the pool's labels and sizing and goes on serving the unit through the
   * per-unit contract: the pool says so once.
   */
  private void handOver(StandbyPool pool, HandOver h) {
    String ns = pool.getMetadata().getNamespace();
    Pod pod = pods.get(new ResourceID(h.pod(), ns)).orElse(null);
    if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) return;
    boolean ownedByUnit = pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> HasMetadata.getKind(OperationalUnit.class).equals(o.getKind())
                && h.unit().equals(o.getName()));
    if (!ownedByUnit) {
      OperationalUnit unit = client
          .resources(OperationalUnit.class)
          .inNamespace(ns)
          .withName(h.unit())
          .get();
      if (unit == null || unit.getMetadata().getDeletionTimestamp() != null) return;
      patch(ns, h.pod(), Map.of("ownerReferences", List.of(UnitObjectsBuilder.owner(unit))));
    }
    if (handOversTold.add(ns + "/" + h.pod()))
      events.record(
          pool,
          PoolEventReason.SharedStandbyHandedOver,
          h.pod() + " serves only " + h.unit() + " now: it belongs to " + h.unit()
              + " (deleting the pool leaves it; deleting " + h.unit() + " deletes it) and keeps the"
              + " pool's labels and sizing until it is next replaced",
          false);
  }

  private void create(StandbyPool pool, OperationalUnit reference, CreateSharedPod c) {
    unplaceableTold.remove(
        pool.getMetadata().getNamespace() + "/" + pool.getMetadata().getName());
    Pod pod = builder.build(pool, reference, c.name(), c.units(), c.avoidNodes());
    try {
      Pod created = client
          .pods()
          .inNamespace(pool.getMetadata().getNamespace())
          .resource(pod)
          .create();
      pods.handleRecentResourceCreate(ResourceID.fromResource(created), created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) return; // made by an earlier attempt
      throw e;
    }
    events.record(
        pool,
        PoolEventReason.SharedStandbyCreated,
        "created shared standby " + c.name() + " holding " + String.join(", ", c.units())
            + (c.avoidNodes().isEmpty() ? "" : ", off nodes " + String.join(", ", c.avoidNodes())),
        false);
  }

  private void patch(String ns, String pod, Object metadata) {
    try {
      Pod patched = client
          .pods()
          .inNamespace(ns)
          .withName(pod)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("metadata", metadata)));
      pods.handleRecentResourceUpdate(ResourceID.fromResource(patched), patched, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e; // a pod that is gone holds nothing
    }
  }
}
