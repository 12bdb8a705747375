package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.EventReason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects a unit needs besides its members and Service: the peer key Secret, and the members' ServiceAccount,
 * Role, RoleBinding and the NetworkPolicy of the replication port as {@link UnitDependent}s, restored within seconds
 * when deleted or edited (the PodDisruptionBudget follows the primary: {@link PrimaryDisruptionBudget}); and a Warning
 * event for each setting that weakens the unit's protection.
 *
 * <p>A unit never takes over an object it did not create. Before one of its objects is written where the informer
 * holds none of the unit's, the name is read: everything is checked before anything is written, so a conflict leaves
 * the namespace as it was. The Service and Lease the unit will make are checked once per generation.
 */
final class SupportingObjects {
  private final KubernetesClient client;
  private final EventRecorder events;
  private final List<UnitDependent<?>> dependents = new ArrayList<>();
  /** uid/generation whose names were checked, key made and warnings told. */
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  SupportingObjects(KubernetesClient client, boolean networkPolicy, EventRecorder events) {
    this.client = client;
    this.events = events;
    // SpecChecks refuses a template that names its own account: the members always run as this one.
    dependents.add(new UnitDependent<>(
        ServiceAccount.class,
        "member-serviceaccounts",
        (u, c) -> UnitObjectsBuilder.memberServiceAccount(u)));
    dependents.add(new UnitDependent<>(
        Role.class, "member-roles", (u, c) -> UnitObjectsBuilder.memberRole(u)));
    dependents.add(new UnitDependent<>(
        RoleBinding.class,
        "member-rolebindings",
        (u, c) -> UnitObjectsBuilder.memberRoleBinding(
            u, Naming.memberServiceAccount(u.getMetadata().getName()))));
    if (networkPolicy)
      dependents.add(new UnitDependent<>(
          NetworkPolicy.class,
          "replication-policies",
          (u, c) -> UnitObjectsBuilder.replicationPolicy(u)));
  }

  List<EventSource<?, OperationalUnit>> eventSources(EventSourceContext<OperationalUnit> context) {
    return dependents.stream()
        .<EventSource<?, OperationalUnit>>map(d -> d.eventSource(context).orElseThrow())
        .toList();
  }

  void ensure(OperationalUnit unit, Context<OperationalUnit> context) {
    String key = unit.getMetadata().getUid() + "/" + unit.getMetadata().getGeneration();
    boolean firstLook = !checked.contains(key);
    List<HasMetadata> existing = new ArrayList<>();
    for (UnitDependent<?> d : dependents)
      existing.add(d.getSecondaryResource(unit, context)
          .map(HasMetadata.class::cast)
          .orElseGet(() -> client.resource(d.desired(unit, context)).get()));
    boolean setUpBefore = existing.get(0) != null; // the ServiceAccount, made after the key
    if (firstLook) {
      existing.add(client.resource(UnitObjectsBuilder.serviceName(unit)).get());
      existing.add(client
          .resource(UnitObjectsBuilder.disruptionBudgetName(unit))
          .get()); // applied by PrimaryDisruptionBudget
      existing.add(client.resource(UnitObjectsBuilder.leaseName(unit)).get());
    }
    List<String> conflicts =
        new ArrayList<>(NameConflicts.among(existing, unit.getMetadata().getUid()));
    if (!conflicts.isEmpty()) throw new NameConflictException(conflicts);
    if (firstLook && !createPeerKey(unit, setUpBefore)) {
      throw new NameConflictException(
          List.of("Secret " + ContractKeys.peerSecretName(unit.getMetadata().getName())));
    }
    for (UnitDependent<?> d : dependents) d.reconcile(unit, context);
    if (firstLook) {
      SpecChecks.warnings(unit.getSpec())
          .forEach(w -> events.record(unit, EventReason.UnsafeSpec, w, true));
      checked.add(key);
    }
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
    checked.removeIf(k -> k.startsWith(unit.getMetadata().getUid() + "/"));
  }
}
