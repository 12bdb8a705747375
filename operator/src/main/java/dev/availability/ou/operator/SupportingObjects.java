package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.EventReason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects a unit needs besides its members and Service: the peer key Secret, the members'
 * ServiceAccount, Role and RoleBinding, the NetworkPolicy of the replication port (the PodDisruptionBudget follows the
 * primary: {@link PrimaryDisruptionBudget}); and a
 * Warning event for each setting that weakens the unit's protection. Applied once per unit generation, and only
 * when none of them, nor the Service or Lease the unit will make, already exists without being the unit's.
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
    // SpecChecks refuses a template that names its own account: the members always run as this one.
    String sa = Naming.memberServiceAccount(unit.getMetadata().getName());
    List<HasMetadata> applied = new ArrayList<>(List.of(UnitObjectsBuilder.memberServiceAccount(unit), UnitObjectsBuilder.memberRole(unit),
        UnitObjectsBuilder.memberRoleBinding(unit, sa)));
    if (networkPolicy) applied.add(UnitObjectsBuilder.replicationPolicy(unit));
    // Everything is checked before anything is written: a conflict leaves the namespace as it was.
    List<HasMetadata> existing = new ArrayList<>();
    for (HasMetadata o : applied) existing.add(client.resource(o).get());
    existing.add(client.resource(UnitObjectsBuilder.serviceName(unit)).get());
    existing.add(client.resource(UnitObjectsBuilder.disruptionBudgetName(unit)).get()); // applied by PrimaryDisruptionBudget
    existing.add(client.resource(UnitObjectsBuilder.leaseName(unit)).get());
    List<String> conflicts = new ArrayList<>(NameConflicts.among(existing, unit.getMetadata().getUid()));
    if (!conflicts.isEmpty()) throw new NameConflictException(conflicts);
    boolean setUpBefore = existing.get(0) != null;
    if (!createPeerKey(unit, setUpBefore)) {
      throw new NameConflictException(List.of("Secret " + ContractKeys.peerSecretName(unit.getMetadata().getName())));
    }
    applied.forEach(this::apply);
    SpecChecks.warnings(unit.getSpec()).forEach(w -> events.record(unit, EventReason.UnsafeSpec, w, true));
    ensured.add(key);
  }

  /**
   * Creates the peer key unless it exists (never rotated by a re-apply: the members hold it). The operator may not
   * read Secrets, so an existing key is the unit's only when the unit was set up before: its key is always created
   * before its ServiceAccount. (A crash between the two leaves the unit's own key looking foreign: NameConflict.)
   *
   * @return false when a key the unit did not create holds the name
   */
  private boolean createPeerKey(OperationalUnit unit, boolean setUpBefore) {
    try {
      client.resource(UnitObjectsBuilder.peerKey(unit)).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      return setUpBefore;
    }
  }

  void forget(OperationalUnit unit) {
    ensured.removeIf(k -> k.startsWith(unit.getMetadata().getUid() + "/"));
  }

  private void apply(HasMetadata object) {
    client.resource(object).fieldManager(Naming.FIELD_MANAGER).forceConflicts().serverSideApply();
  }
}
