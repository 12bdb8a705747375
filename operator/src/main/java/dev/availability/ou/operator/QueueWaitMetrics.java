package dev.availability.ou.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * JOSDK's own metrics, plus what they lack: how long a reconciliation waited for a reconciler thread, from its
 * submission to the executor until it started ({@value #NAME}, a histogram: the scale benchmark reads its buckets
 * over a window). A long wait means the operator is the bottleneck: every event, a failover's included, waits as long.
 */
final class QueueWaitMetrics implements Metrics {
  static final String NAME = "ou.reconcile.queue.wait";
  private final Metrics josdk;
  private final Timer wait;
  private final Map<ResourceID, Long> submittedNanos = new ConcurrentHashMap<>();

  QueueWaitMetrics(Metrics josdk, MeterRegistry registry) {
    this.josdk = josdk;
    this.wait = Timer.builder(NAME)
        .description("Time a reconciliation waited for a reconciler thread (submitted to started)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
  }

  @Override
  public void reconciliationSubmitted(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    submittedNanos.put(ResourceID.fromResource(resource), System.nanoTime());
    josdk.reconciliationSubmitted(resource, retryInfo, metadata);
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    Long submitted = submittedNanos.remove(ResourceID.fromResource(resource));
    if (submitted != null) wait.record(System.nanoTime() - submitted, TimeUnit.NANOSECONDS);
    josdk.reconciliationStarted(resource, metadata);
  }

  @Override
  public void cleanupDone(ResourceID resourceID, Map<String, Object> metadata) {
    submittedNanos.remove(resourceID); // a deleted unit leaves nothing behind
    josdk.cleanupDone(resourceID, metadata);
  }

  // --- the rest is JOSDK's ---

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    josdk.controllerRegistered(controller);
  }

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    josdk.eventReceived(event, metadata);
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource,
      RetryInfo retryInfo,
      Exception exception,
      Map<String, Object> metadata) {
    josdk.reconciliationFailed(resource, retryInfo, exception, metadata);
  }

  @Override
  public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
    josdk.reconciliationSucceeded(resource, metadata);
  }

  @Override
  public void reconciliationFinished(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    josdk.reconciliationFinished(resource, retryInfo, metadata);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    return josdk.timeControllerExecution(execution);
  }
}
