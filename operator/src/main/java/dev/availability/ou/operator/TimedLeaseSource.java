package dev.availability.ou.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Leases (the units' primary leases, the nodes' heartbeats), noting when each renewal arrives (before any event
 * filter drops plain renewals) and when the watch is down (the API server does not answer), sampled every {@value #WATCH_SAMPLE_MILLIS} ms: the
 * informer tells no listener when its watch breaks.
 */
final class TimedLeaseSource<P extends HasMetadata> extends InformerEventSource<Lease, P> {
  static final long WATCH_SAMPLE_MILLIS = 100;
  private final LeaseRenewalsSeen renewals;
  private ScheduledExecutorService watchSampler;

  TimedLeaseSource(
      InformerEventSourceConfiguration<Lease> configuration,
      EventSourceContext<P> context,
      LeaseRenewalsSeen renewals) {
    super(configuration, context);
    this.renewals = renewals;
  }

  @Override
  public synchronized void start() {
    super.start();
    watchSampler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("ou-lease-watch").factory());
    watchSampler.scheduleWithFixedDelay(
        this::sampleWatch, WATCH_SAMPLE_MILLIS, WATCH_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (watchSampler != null) watchSampler.shutdownNow();
    super.stop();
  }

  private void sampleWatch() {
    try {
      if (!informerHealthIndicators().values().stream()
          .allMatch(InformerHealthIndicator::isWatching)) renewals.blind();
    } catch (RuntimeException e) {
      renewals.blind(); // cannot tell: the safe side
    }
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
