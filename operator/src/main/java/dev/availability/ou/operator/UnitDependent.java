package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import java.util.function.BiFunction;

/**
 * One of the objects a unit needs beside its members (ServiceAccount, Role, RoleBinding, NetworkPolicy,
 * PodDisruptionBudget), kept converged by JOSDK: applied server-side when missing or when what the operator wrote
 * differs from the object (an edit, a deletion), watched through an informer of the unit's objects (by label) so a
 * deleted or edited one is restored within seconds. Owned by the unit: the garbage collector removes it with the unit.
 */
final class UnitDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, OperationalUnit> {
  private final BiFunction<OperationalUnit, Context<OperationalUnit>, R> desired;

  UnitDependent(
      Class<R> type,
      String name,
      BiFunction<OperationalUnit, Context<OperationalUnit>, R> desired) {
    super(type, name);
    this.desired = desired;
    configureWith(new KubernetesDependentResourceConfigBuilder<R>()
        .withKubernetesDependentInformerConfig(InformerConfiguration.builder(type)
            .withName(name)
            .withLabelSelector(ContractKeys.UNIT_LABEL)
            .build())
        .build());
  }

  @Override
  protected R desired(OperationalUnit unit, Context<OperationalUnit> context) {
    return desired.apply(unit, context);
  }
}
