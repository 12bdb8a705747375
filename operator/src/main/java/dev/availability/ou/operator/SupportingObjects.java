package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.failover.EventReason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects a unit needs besides its members and Service: the peer key Secret, the members'
 * ServiceAccount, Role and RoleBinding, the PodDisruptionBudget, the NetworkPolicy of the replication port; and a
 * Warning event for each setting that weakens the unit's protection. Applied once per unit generation.
 */
final class SupportingObjects {
  private final KubernetesClient client;
  private final boolean networkPolicy;
  private final EventRecorder events;
  private final Set<String> ensured = ConcurrentHashMap.newKeySet();

  SupportingObjects(KubernetesClient client, boolean networkPolicy, EventRecorder events) {
    this.client = client;
    this.networkPolicy = networkPolicy;
    this.events = events;
  }

  void ensure(OperationalUnit unit) {
    String key = unit.getMetadata().getUid() + "/" + unit.getMetadata().getGeneration();
    if (ensured.contains(key)) return;
    String ns = unit.getMetadata().getNamespace();
    createIfAbsent(UnitObjectsBuilder.peerKey(unit)); // never rotated by a re-apply: the members hold it
    // SpecChecks refuses a template that names its own account: the members always run as this one.
    String sa = Naming.memberServiceAccount(unit.getMetadata().getName());
    apply(UnitObjectsBuilder.memberServiceAccount(unit));
    apply(UnitObjectsBuilder.memberRole(unit));
    apply(UnitObjectsBuilder.memberRoleBinding(unit, sa));
    apply(UnitObjectsBuilder.disruptionBudget(unit));
    if (networkPolicy) apply(UnitObjectsBuilder.replicationPolicy(unit));
    SpecChecks.warnings(unit.getSpec()).forEach(w -> events.record(unit, EventReason.UnsafeSpec, w, true));
    ensured.add(key);
  }

  void forget(OperationalUnit unit) {
    ensured.removeIf(k -> k.startsWith(unit.getMetadata().getUid() + "/"));
  }

  private void createIfAbsent(HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
  }

  private void apply(HasMetadata object) {
    client.resource(object).fieldManager(Naming.FIELD_MANAGER).forceConflicts().serverSideApply();
  }
}
