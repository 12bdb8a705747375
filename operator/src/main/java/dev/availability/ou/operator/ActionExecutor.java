package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.Action;
import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.MemberSettings;
import dev.availability.ou.failover.UnitPolicy;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * Performs the decider's actions against the API server, each idempotently, and puts what it wrote into
 * the informer caches so the next decision sees it even before the watch does.
 */
final class ActionExecutor {
  private final KubernetesClient client;
  private final UnitCaches caches;
  private final MemberPodBuilder pods;
  private final EventRecorder events;
  private final MemberClaims claims;

  ActionExecutor(
      KubernetesClient client,
      UnitCaches caches,
      MemberPodBuilder pods,
      EventRecorder events,
      MemberClaims claims) {
    this.client = client;
    this.caches = caches;
    this.pods = pods;
    this.events = events;
    this.claims = claims;
  }

  /**
   * Carries out {@code action} for {@code unit}; members are made with {@code policy}'s hash and settings, and assigned
   * with {@code settings} (the policy's, with the quarantine of the decided state). {@code pooled}: a pool holds the
   * unit (its members then keep off the pool's pods).
   */
  void execute(
      OperationalUnit unit,
      Action action,
      UnitPolicy policy,
      MemberSettings settings,
      boolean pooled) {
    switch (action) {
      case CreateMember c -> create(unit, c, policy, pooled);
      case Assign a -> assign(unit, a, settings);
      case HoldLease l -> holdLease(unit, l);
      case Action.VouchLease v -> vouchLease(unit, v);
      case PointService p -> pointService(unit, p);
      case DeleteMember d -> delete(unit, d);
      case Emit e -> events.record(unit, e.reason(), e.message(), e.warning());
    }
  }

  /**
   * Carries out one batch of {@link ActionBatches}: a single action here, several at once (each on a virtual thread of
   * its own, the first on this one); every one is waited for, and the first failure is thrown after.
   */
  void executeAll(
      OperationalUnit unit,
      List<Action> batch,
      UnitPolicy policy,
      MemberSettings settings,
      boolean pooled) {
    if (batch.size() == 1) {
      execute(unit, batch.get(0), policy, settings, pooled);
      return;
    }
    List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> others = batch.subList(1, batch.size()).stream()
        .map(a -> Thread.ofVirtual().name("ou-action").start(() -> {
          try {
            execute(unit, a, policy, settings, pooled);
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }))
        .toList();
    try {
      execute(unit, batch.get(0), policy, settings, pooled);
    } catch (RuntimeException e) {
      failures.add(0, e);
    }
    for (Thread t : others) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while assignments were being written", e);
      }
    }
    if (!failures.isEmpty()) throw failures.get(0);
  }

  private void create(OperationalUnit unit, CreateMember c, UnitPolicy policy, boolean pooled) {
    Pod pod = pods.build(unit, c, policy.templateHash(), policy.memberSettings(), pooled);
    // The claim first: the pod's data volume names it, and a member recreated under its name finds
    // its data there.
    if (unit.getSpec().getReplication().getStorage() != null) claims.ensure(unit, c.pod());
    try {
      Pod created = client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .resource(pod)
          .create();
      caches.pods().handleRecentResourceCreate(ResourceID.fromResource(created), created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Created by an earlier attempt, or a pod the unit did not create holds the name: never
        // adopt that one.
        Pod existing = client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(c.pod())
            .get();
        if (existing != null
            && !NameConflicts.ownedBy(existing, unit.getMetadata().getUid())) {
          throw new NameConflictException(List.of(NameConflicts.describe(existing)));
        }
        return;
      }
      if (e.getCode() == 422 || e.getCode() == 400) {
        throw new InvalidSpecException(
            "the API server refused member pod " + c.pod() + " built from spec.template: "
                + reasonOf(e),
            e);
      }
      throw e;
    }
  }

  private void assign(OperationalUnit unit, Assign a, MemberSettings settings) {
    Role role = Role.valueOf(a.role().name());
    String json =
        ContractJson.toJson(Assignments.of(role, a.epoch(), a.peer(), a.nextPeer(), settings));
    String patch = Serialization.asJson(Map.of(
        "metadata",
        Map.of(
            "labels", Map.of(ContractKeys.ROLE_LABEL, role.label()),
            "annotations", Map.of(ContractKeys.ASSIGNMENT_ANNOTATION, json))));
    try {
      Pod patched = client
          .pods()
          .inNamespace(unit.getMetadata().getNamespace())
          .withName(a.pod())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      caches.pods().handleRecentResourceUpdate(ResourceID.fromResource(patched), patched, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e; // a pod that is gone needs no assignment
    }
  }

  private void holdLease(OperationalUnit unit, HoldLease l) {
    retryingConflicts(() -> writeLease(unit, l));
  }

  /**
   * A write of the unit's Lease, retried at once on a conflict (the holder's sidecar renews concurrently) rather than
   * through a reconcile backoff.
   */
  private static void retryingConflicts(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 5) throw e;
      }
    }
  }

  /** Renews the lease for its holder (Action.VouchLease); a lease held by another, or gone, is left alone. */
  private void vouchLease(OperationalUnit unit, Action.VouchLease v) {
    retryingConflicts(() -> renewFor(unit, v));
  }

  private void renewFor(OperationalUnit unit, Action.VouchLease v) {
    String ns = unit.getMetadata().getNamespace();
    Lease current = client
        .leases()
        .inNamespace(ns)
        .withName(ContractKeys.primaryLeaseName(unit.getMetadata().getName()))
        .get();
    var annotations = current == null ? null : current.getMetadata().getAnnotations();
    if (current == null
        || current.getSpec() == null
        || !v.holder().equals(current.getSpec().getHolderIdentity())
        || annotations == null
        || !String.valueOf(v.epoch())
            .equals(annotations.get(ContractKeys.LEASE_EPOCH_ANNOTATION))) {
      return;
    }
    current.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
    Lease written = client.leases().inNamespace(ns).resource(current).update();
    caches
        .unitLeases()
        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, current);
  }

  private void writeLease(OperationalUnit unit, HoldLease l) {
    String ns = unit.getMetadata().getNamespace();
    String name = ContractKeys.primaryLeaseName(unit.getMetadata().getName());
    Lease current = client.leases().inNamespace(ns).withName(name).get();
    if (current != null && !NameConflicts.ownedBy(current, unit.getMetadata().getUid())) {
      throw new NameConflictException(List.of(NameConflicts.describe(current)));
    }
    int seconds = (int) Math.max(1, (l.duration().toMillis() + 999) / 1000);
    Map<String, String> annotations = Map.of(
        ContractKeys.LEASE_EPOCH_ANNOTATION, String.valueOf(l.epoch()),
        ContractKeys.LEASE_DURATION_MS_ANNOTATION, String.valueOf(l.duration().toMillis()));
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    if (current == null) {
      Lease lease = new LeaseBuilder()
          .withMetadata(UnitObjectsBuilder.meta(unit, name))
          .editMetadata()
          .withAnnotations(annotations)
          .endMetadata()
          .withNewSpec()
          .withHolderIdentity(l.holder())
          .withLeaseDurationSeconds(seconds)
          .withAcquireTime(now)
          .withLeaseTransitions(0)
          .endSpec()
          .build();
      client.leases().inNamespace(ns).resource(lease).create();
    } else if (l.holder().equals(current.getSpec().getHolderIdentity())
        && annotations.equals(current.getMetadata().getAnnotations())) {
      return; // already held as decided (a cache that lagged behind our own write asked again)
    } else {
      // A new holder starts unrenewed: lease-based detection applies once its sidecar has renewed.
      current.getMetadata().setAnnotations(annotations);
      boolean changed = !l.holder().equals(current.getSpec().getHolderIdentity());
      current.getSpec().setHolderIdentity(l.holder());
      current.getSpec().setLeaseDurationSeconds(seconds);
      current.getSpec().setRenewTime(null);
      current.getSpec().setAcquireTime(now);
      if (changed)
        current
            .getSpec()
            .setLeaseTransitions((current.getSpec().getLeaseTransitions() == null
                    ? 0
                    : current.getSpec().getLeaseTransitions())
                + 1);
      client.leases().inNamespace(ns).resource(current).update();
    }
  }

  private void pointService(OperationalUnit unit, PointService p) {
    Service desired = UnitObjectsBuilder.service(unit, p.pod());
    // The cache holds only Services labelled as some unit's: one it lacks is created, never applied
    // over.
    Service cached = caches.services().get(ResourceID.fromResource(desired)).orElse(null);
    if (cached == null) {
      try {
        Service created = client
            .services()
            .inNamespace(unit.getMetadata().getNamespace())
            .resource(desired)
            .create();
        caches.services().handleRecentResourceCreate(ResourceID.fromResource(created), created);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) throw e;
        cached = client
            .services()
            .inNamespace(unit.getMetadata().getNamespace())
            .withName(unit.getMetadata().getName())
            .get();
      }
    }
    if (cached != null && !NameConflicts.ownedBy(cached, unit.getMetadata().getUid())) {
      throw new NameConflictException(List.of(NameConflicts.describe(cached)));
    }
    Service written = client
        .services()
        .inNamespace(unit.getMetadata().getNamespace())
        .resource(desired)
        .fieldManager(Naming.FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
    caches.services().handleRecentResourceUpdate(ResourceID.fromResource(written), written, null);
  }

  private void delete(OperationalUnit unit, DeleteMember d) {
    // Members are the unit's own pods (the observation holds no other): a pod of that name it did
    // not create stays.
    Pod cached = caches
        .pods()
        .get(new ResourceID(d.pod(), unit.getMetadata().getNamespace()))
        .orElse(null);
    if (cached != null && !NameConflicts.ownedBy(cached, unit.getMetadata().getUid())) {
      throw new NameConflictException(List.of(NameConflicts.describe(cached)));
    }
    var op = client.pods().inNamespace(unit.getMetadata().getNamespace()).withName(d.pod());
    if (d.force()) op.withGracePeriod(0).delete();
    else op.delete();
  }

  private static String reasonOf(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }
}
