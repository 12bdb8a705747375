package dev.availability.ou.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.operatorsdk.runtime.MicrometerMetricsProvider;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The JOSDK metrics the operator runs with: Quarkus' operator SDK's own (its default bean), plus the reconcile queue
 * wait ({@link QueueWaitMetrics}). A producer rather than a configuration customizer: the controllers take their
 * metrics from the configuration built with this bean, before any customizer applies.
 */
@Singleton
public class QueueWaitMetricsProducer {
  @Produces
  @Singleton
  Metrics metrics(MeterRegistry registry, MicrometerMetricsProvider josdk) {
    return new QueueWaitMetrics(josdk.getMetrics(), registry);
  }
}
