package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

/**
 * Keeps the unit's PodDisruptionBudget on its primary ({@link UnitObjectsBuilder#disruptionBudget}), a
 * {@link UnitDependent}: rewritten when the primary the decision names differs from the one it selects (a failover or
 * switchover just moved traffic) and restored when deleted or edited. It moves in the reconcile that points the Service
 * at the new primary: until then the former primary, still serving, is the one protected.
 */
final class PrimaryDisruptionBudget {
  /** The primary the decision names, handed to {@link UnitDependent#desired} through the reconcile's context. */
  private static final String PRIMARY = PrimaryDisruptionBudget.class.getName() + ".primary";

  private final UnitDependent<PodDisruptionBudget> budget = new UnitDependent<>(
      PodDisruptionBudget.class,
      "disruption-budgets",
      (u, c) -> UnitObjectsBuilder.disruptionBudget(
          u, c.managedWorkflowAndDependentResourceContext().getMandatory(PRIMARY, String.class)));

  EventSource<?, OperationalUnit> eventSource(EventSourceContext<OperationalUnit> context) {
    return budget.eventSource(context).orElseThrow();
  }

  void follow(OperationalUnit unit, Context<OperationalUnit> context, String primary) {
    if (primary == null) return; // nothing serves yet: nothing to protect
    context.managedWorkflowAndDependentResourceContext().put(PRIMARY, primary);
    budget.reconcile(unit, context);
  }
}
