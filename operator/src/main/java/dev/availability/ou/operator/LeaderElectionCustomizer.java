package dev.availability.ou.operator;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Turns on JOSDK's Lease-based leader election so several operator replicas never act twice. */
@Singleton
public class LeaderElectionCustomizer implements ConfigurationServiceCustomizer {
  private static final Path SERVICE_ACCOUNT_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  private final OperatorConfig config;

  public LeaderElectionCustomizer(OperatorConfig config) {
    this.config = config;
  }

  @Override
  public Consumer<ConfigurationServiceOverrider> overrider() {
    return o -> {
      if (!config.leaderElection().enabled()) return;
      String namespace = config
          .leaderElection()
          .leaseNamespace()
          .orElseGet(LeaderElectionCustomizer::ownNamespace);
      o.withLeaderElectionConfiguration(
          LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                  config.leaderElection().leaseName())
              .withLeaseNamespace(namespace)
              .withLeaseDuration(config.leaderElection().leaseDuration())
              .withRenewDeadline(
                  config.leaderElection().leaseDuration().multipliedBy(2).dividedBy(3))
              .withRetryPeriod(config.leaderElection().leaseDuration().dividedBy(5))
              .build());
    };
  }

  private static String ownNamespace() {
    String env = System.getenv("POD_NAMESPACE");
    if (env != null && !env.isBlank()) return env;
    try {
      return Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim();
    } catch (Exception e) {
      return "default"; // running outside a cluster (local development, the tests)
    }
  }
}
