package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the unit's PodDisruptionBudget on its primary ({@link UnitObjectsBuilder#disruptionBudget}): written when the
 * primary the decision names differs from the one last written (a failover or switchover just moved traffic), for each
 * generation of the unit, and once per operator process. It moves in the reconcile that points the Service at the new
 * primary: until then the former primary, still serving, is the one protected.
 */
final class PrimaryDisruptionBudget {
  private final KubernetesClient client;
  /** Unit uid to "generation/primary" last written. */
  private final Map<String, String> written = new ConcurrentHashMap<>();

  PrimaryDisruptionBudget(KubernetesClient client) {
    this.client = client;
  }

  void follow(OperationalUnit unit, String primary) {
    if (primary == null) return; // nothing serves yet: nothing to protect
    String uid = unit.getMetadata().getUid();
    String key = unit.getMetadata().getGeneration() + "/" + primary;
    if (Objects.equals(written.get(uid), key)) return;
    client.resource(UnitObjectsBuilder.disruptionBudget(unit, primary)).fieldManager(Naming.FIELD_MANAGER).forceConflicts().serverSideApply();
    written.put(uid, key);
  }

  void forget(OperationalUnit unit) {
    written.remove(unit.getMetadata().getUid());
  }
}
