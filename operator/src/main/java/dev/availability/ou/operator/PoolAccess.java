package dev.availability.ou.operator;

import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a pool's shared pod may do, as a dedicated member may for its one unit: read pods, patch its own (its
 * per-unit reports), and renew the Lease {@code <unit>-primary} of every unit the pool holds (it is that unit's
 * holder once it takes it over). One ServiceAccount, Role and RoleBinding per pool, owned by it, applied
 * server-side whenever the units held change.
 */
final class PoolAccess {
  private final KubernetesClient client;
  /** The units each pool's Role was last applied for (pool uid to units): applied again only when they change. */
  private final Map<String, Set<String>> applied = new ConcurrentHashMap<>();

  PoolAccess(KubernetesClient client) {
    this.client = client;
  }

  void ensure(StandbyPool pool, Collection<String> units) {
    Set<String> held = Set.copyOf(units);
    if (held.equals(applied.get(pool.getMetadata().getUid()))) return;
    for (HasMetadata o : objects(pool, held))
      client.resource(o).fieldManager(Naming.FIELD_MANAGER).forceConflicts().serverSideApply();
    applied.put(pool.getMetadata().getUid(), held);
  }

  void forget(StandbyPool pool) {
    applied.remove(pool.getMetadata().getUid());
  }

  static List<HasMetadata> objects(StandbyPool pool, Set<String> units) {
    String name = SharedPodBuilder.serviceAccount(pool.getMetadata().getName());
    List<PolicyRule> rules = new ArrayList<>();
    rules.add(new PolicyRuleBuilder()
        .withApiGroups("")
        .withResources("pods")
        .withVerbs("get", "list", "watch", "patch")
        .build());
    // Never a lease rule without names: an empty resourceNames would grant every Lease of the
    // namespace.
    if (!units.isEmpty())
      rules.add(new PolicyRuleBuilder()
          .withApiGroups("coordination.k8s.io")
          .withResources("leases")
          .withResourceNames(
              units.stream().sorted().map(ContractKeys::primaryLeaseName).toList())
          .withVerbs("get", "update", "patch")
          .build());
    return List.of(
        new ServiceAccountBuilder().withMetadata(meta(pool, name)).build(),
        new RoleBuilder().withMetadata(meta(pool, name)).withRules(rules).build(),
        new RoleBindingBuilder()
            .withMetadata(meta(pool, name))
            .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName(name)
            .withNamespace(pool.getMetadata().getNamespace())
            .endSubject()
            .build());
  }

  private static ObjectMeta meta(StandbyPool pool, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(pool.getMetadata().getNamespace())
        .withLabels(Map.of(
            ContractKeys.POOL_LABEL,
            pool.getMetadata().getName(),
            Naming.MANAGED_BY,
            Naming.OPERATOR))
        .withOwnerReferences(UnitObjectsBuilder.owner(pool))
        .build();
  }
}
