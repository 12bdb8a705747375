package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;

/**
 * Earlier operators put JOSDK's default finalizer on every unit (their reconciler was a {@code Cleaner}), so deleting a
 * unit hung while no operator ran. Nothing needs it (everything a unit makes is owned by it and garbage-collected;
 * the operator's in-memory state is dropped on the delete event): it is taken off the units that still carry it.
 */
final class FormerFinalizer {
  static final String NAME = "operationalunits." + OperationalUnit.GROUP + "/finalizer";

  private FormerFinalizer() {}

  static boolean carriedBy(OperationalUnit unit) {
    List<String> finalizers = unit.getMetadata().getFinalizers();
    return finalizers != null && finalizers.contains(NAME);
  }

  /** The unit without it, as the API server returned it. */
  static OperationalUnit removeFrom(KubernetesClient client, OperationalUnit unit) {
    return PrimaryUpdateAndCacheUtils.removeFinalizer(client, unit, NAME);
  }
}
