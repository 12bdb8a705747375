package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** The units' primary leases, noting when each renewal arrives (before the event filter drops plain renewals). */
final class UnitLeaseSource extends InformerEventSource<Lease, OperationalUnit> {
  private final LeaseRenewalsSeen renewals;

  UnitLeaseSource(InformerEventSourceConfiguration<Lease> configuration, EventSourceContext<OperationalUnit> context, LeaseRenewalsSeen renewals) {
    super(configuration, context);
    this.renewals = renewals;
  }

  @Override
  public void onAdd(Lease lease) {
    renewals.observed(lease);
    super.onAdd(lease);
  }

  @Override
  public void onUpdate(Lease before, Lease lease) {
    renewals.observed(lease);
    super.onUpdate(before, lease);
  }

  @Override
  public synchronized void onDelete(Lease lease, boolean finalStateUnknown) {
    renewals.forget(lease);
    super.onDelete(lease, finalStateUnknown);
  }
}
