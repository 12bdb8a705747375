package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciler itself on a real API server, in this JVM (JOSDK without Quarkus, no operator process), running as a
 * ServiceAccount whose ClusterRole lacks one rule the chart grants: a 403 becomes condition Degraded with reason
 * ApiRequestFailed and a Warning event saying which request and what to do; once the rule is granted the next retry
 * goes through and the condition clears (issue 18 items 5 and 6).
 */
@KubernetesCluster
class ReconcilerOnApiServerTest {
  static KubernetesClient admin;
  static String ns;
  static String role;

  @BeforeAll
  static void setUp(KubernetesClient client, TestNamespace namespace) throws Exception {
    admin = client;
    ns = namespace.name();
    role = "ou-io-operator-" + ns;
    UnitCrd.install(admin);
  }

  @AfterAll
  static void tearDown() {
    if (admin == null) return;
    admin.rbac().clusterRoleBindings().withName(role).delete();
    admin.rbac().clusterRoles().withName(role).delete();
  }

  /** Everything the operator needs (broadly), but disruption budgets only readable. */
  private static List<PolicyRule> rulesWithoutBudgetWrites() {
    List<PolicyRule> rules = new ArrayList<>();
    rules.add(new PolicyRuleBuilder()
        .withApiGroups(
            "",
            "coordination.k8s.io",
            "discovery.k8s.io",
            "rbac.authorization.k8s.io",
            "networking.k8s.io",
            "ou.availability.dev",
            "events.k8s.io")
        .withResources("*")
        .withVerbs("*")
        .build());
    rules.add(new PolicyRuleBuilder()
        .withApiGroups("policy")
        .withResources("poddisruptionbudgets")
        .withVerbs("get", "list", "watch")
        .build());
    return rules;
  }

  private static KubernetesClient clientAs(String serviceAccount) {
    String token = admin
        .serviceAccounts()
        .inNamespace(ns)
        .withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(3600L)
            .endSpec()
            .build())
        .getStatus()
        .getToken();
    var config = new ConfigBuilder(admin.getConfiguration())
        .withOauthToken(token)
        .withClientCertData(null)
        .withClientCertFile(null)
        .withClientKeyData(null)
        .withClientKeyFile(null)
        .withUsername(null)
        .withPassword(null)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Test
  void aForbiddenRequestBecomesAConditionAndAnEventAndClearsOnceTheRuleIsGranted()
      throws Exception {
    admin
        .serviceAccounts()
        .inNamespace(ns)
        .resource(new ServiceAccountBuilder()
            .withNewMetadata()
            .withName("io-operator")
            .endMetadata()
            .build())
        .create();
    admin
        .rbac()
        .clusterRoles()
        .resource(new ClusterRoleBuilder()
            .withNewMetadata()
            .withName(role)
            .endMetadata()
            .withRules(rulesWithoutBudgetWrites())
            .build())
        .create();
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(new ClusterRoleBindingBuilder()
            .withNewMetadata()
            .withName(role)
            .endMetadata()
            .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName("io-operator")
            .withNamespace(ns)
            .endSubject()
            .build())
        .create();

    KubernetesClient restricted = clientAs("io-operator");
    Operator operator =
        new Operator(o -> o.withKubernetesClient(restricted).withCloseClientOnStop(true));
    operator.register(
        new OperationalUnitReconciler(
            restricted,
            config(),
            new EventRecorder(restricted),
            new UnitMetrics(new SimpleMeterRegistry())),
        c -> c.settingNamespaces(Set.of(ns)));
    operator.start();
    try {
      OperationalUnit unit = MemberPodBuilderTest.sample();
      unit.getMetadata().setName("io-rbac");
      unit.getMetadata().setNamespace(ns);
      unit.getMetadata().setUid(null);
      admin.resources(OperationalUnit.class).inNamespace(ns).resource(unit).create();

      await("Degraded, ApiRequestFailed")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> degraded().map(Condition::getReason).orElse("").equals("ApiRequestFailed"));
      assertThat(degraded().orElseThrow().getMessage())
          .contains("forbids", "403", "poddisruptionbudgets", "ClusterRole");
      await("the Warning event")
          .atMost(Duration.ofSeconds(10))
          .until(() -> admin.v1().events().inNamespace(ns).list().getItems().stream()
              .anyMatch(
                  e -> "ApiRequestFailed".equals(e.getReason()) && "Warning".equals(e.getType())));

      admin.rbac().clusterRoles().withName(role).edit(r -> {
        r.getRules()
            .set(
                1,
                new PolicyRuleBuilder()
                    .withApiGroups("policy")
                    .withResources("poddisruptionbudgets")
                    .withVerbs("*")
                    .build());
        return r;
      });
      await("the budget written, the condition cleared")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> admin
                      .policy()
                      .v1()
                      .podDisruptionBudget()
                      .inNamespace(ns)
                      .withName("io-rbac")
                      .get()
                  != null
              && !degraded().map(Condition::getReason).orElse("").equals("ApiRequestFailed"));
    } finally {
      operator.stop();
    }
  }

  /** A pod template the API server refuses (a request above its limit): 422 becomes InvalidSpec, nothing created. */
  @Test
  void aMemberPodTheApiServerRefusesMakesTheUnitInvalidSpecAndNothingIsCreated() throws Exception {
    // A client of its own, as the operator has: the shared one's pooled connections may have been
    // closed by the API server since the last test, and the Vert.x client does not retry a request
    // it sent on such a connection (HttpClosedException; fabric8 kubernetes-client #7450), so the
    // informers' first list failed and the operator did not start (CI, once).
    KubernetesClient own =
        new KubernetesClientBuilder().withConfig(admin.getConfiguration()).build();
    Operator operator = new Operator(o -> o.withKubernetesClient(own).withCloseClientOnStop(true));
    operator.register(
        new OperationalUnitReconciler(
            own, config(), new EventRecorder(own), new UnitMetrics(new SimpleMeterRegistry())),
        c -> c.settingNamespaces(Set.of(ns)));
    operator.start();
    try {
      OperationalUnit unit = MemberPodBuilderTest.sample();
      unit.getMetadata().setName("io-invalid");
      unit.getMetadata().setNamespace(ns);
      unit.getMetadata().setUid(null);
      unit.getSpec()
          .getTemplate()
          .getSpec()
          .getContainers()
          .get(0)
          .setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
              .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("2"))
              .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("1"))
              .build());
      admin.resources(OperationalUnit.class).inNamespace(ns).resource(unit).create();

      await("Degraded, InvalidSpec")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() ->
              degraded("io-invalid").map(Condition::getReason).orElse("").equals("InvalidSpec"));
      assertThat(degraded("io-invalid").orElseThrow().getMessage())
          .contains("refused member pod", "spec.template");
      assertThat(admin
              .pods()
              .inNamespace(ns)
              .withLabel("ou.availability.dev/unit", "io-invalid")
              .list()
              .getItems())
          .as("no member pod")
          .isEmpty();
    } finally {
      operator.stop();
    }
  }

  private static Optional<Condition> degraded() {
    return degraded("io-rbac");
  }

  private static Optional<Condition> degraded(String name) {
    OperationalUnit u =
        admin.resources(OperationalUnit.class).inNamespace(ns).withName(name).get();
    if (u == null || u.getStatus() == null || u.getStatus().getConditions() == null)
      return Optional.empty();
    return u.getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .findFirst();
  }

  private static OperatorConfig config() {
    OperatorConfig.Sidecar sidecar = MemberPodBuilderTest.sidecarSettings();
    return new OperatorConfig() {
      @Override
      public Sidecar sidecar() {
        return sidecar;
      }

      @Override
      public Duration resync() {
        return Duration.ofSeconds(5);
      }

      @Override
      public LeaderElection leaderElection() {
        throw new UnsupportedOperationException("no leader election in this test");
      }

      @Override
      public Duration memberClaimGrace() {
        return Duration.ofMinutes(2);
      }

      @Override
      public boolean networkPolicy() {
        return true;
      }
    };
  }
}
