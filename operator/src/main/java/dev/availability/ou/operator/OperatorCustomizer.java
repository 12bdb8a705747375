package dev.availability.ou.operator;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;
import java.util.function.Consumer;

/** The one customizer Quarkus' operator SDK takes: leader election, and the queue wait next to JOSDK's metrics. */
@Singleton
public class OperatorCustomizer implements ConfigurationServiceCustomizer {
  private final LeaderElectionCustomizer leaderElection;
  private final Metrics josdkMetrics;
  private final MeterRegistry registry;

  public OperatorCustomizer(LeaderElectionCustomizer leaderElection, Metrics josdkMetrics, MeterRegistry registry) {
    this.leaderElection = leaderElection;
    this.josdkMetrics = josdkMetrics;
    this.registry = registry;
  }

  @Override
  public Consumer<ConfigurationServiceOverrider> overrider() {
    return leaderElection.overrider().andThen(o -> o.withMetrics(new QueueWaitMetrics(josdkMetrics, registry)));
  }
}
