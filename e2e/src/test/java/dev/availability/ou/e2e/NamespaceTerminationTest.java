package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A unit whose namespace is being deleted: the API server refuses every object the operator would make
 * there (403, cause NamespaceTerminating). That is the unit's expected end, not an error: the operator
 * logs it at debug, does not retry, and still lets the unit go when the namespace controller deletes it.
 * The unit is held in the terminating namespace by an admission policy refusing its deletion, so the
 * operator meets that state every time, whatever the order of tests or the speed of the namespace controller.
 */
@KubernetesCluster
class NamespaceTerminationTest {
  private static final String UNIT = "held";

  @Test
  void aUnitInATerminatingNamespaceEndsQuietlyWithoutRetries(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster) {
    String ending = ns.name() + "-ending";
    String policy = "e2e-hold-units-" + ns.name();
    Units.installCrd(client, cluster.repoRoot());
    client
        .namespaces()
        .resource(new NamespaceBuilder()
            .withNewMetadata()
            .withName(ending)
            .addToLabels(TestNamespace.LABEL, "ending")
            .endMetadata()
            .build())
        .create();
    try {
      holdUnitDeletions(client, policy, ending);
      Units units = new Units(client, ending);
      OperationalUnit unit = units.create(Units.sample(cluster.repoRoot(), UNIT, "10s"));
      await("the admission policy holds the unit")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> deletionRefused(client, unit));
      client.namespaces().withName(ending).delete();
      await("namespace " + ending + " Terminating")
          .atMost(Duration.ofSeconds(30))
          .until(() -> "Terminating"
              .equals(client.namespaces().withName(ending).get().getStatus().getPhase()));

      try (OperatorProcess op = OperatorProcess.start(
          cluster.repoRoot(),
          cluster.kubeconfig(),
          "ns-ending-" + ns.name(),
          "ou-e2e-" + ns.name(),
          Map.of("QUARKUS_LOG_CATEGORY__DEV_AVAILABILITY_OU_OPERATOR__LEVEL", "DEBUG"))) {
        String refused = ending + "/" + UNIT + ": namespace is terminating";
        await("the operator reconciles the unit and meets the refusal")
            .atMost(Duration.ofSeconds(60))
            .until(() -> op.log().contains(refused));
        // JOSDK's retry (2 s, then x1.5) would reconcile again three times in the next 10 s; a
        // storm more.
        sleep(Duration.ofSeconds(10));
        String log = op.log();
        assertThat(log.lines().filter(l -> l.contains(refused)).count())
            .as("reconciles of a unit whose namespace terminates")
            .isLessThanOrEqualTo(2);
        assertThat(log).as("the operator's log").doesNotContain("Uncaught error");
        // The one debug line carries the API server's refusal; nothing above debug may.
        assertThat(log.lines()
                .filter(l -> !l.contains(" DEBUG ")
                    && (l.toLowerCase().contains("forbidden") || l.contains(ending))))
            .as("lines above debug about the refusal or " + ending)
            .isEmpty();
        assertThat(units.memberPods(UNIT))
            .as("nothing was made in the terminating namespace")
            .isEmpty();

        releaseUnitDeletions(client, policy);
        await("the namespace controller (or we) delete the unit, and the operator lets it go")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> deleted(units));
      }
    } finally {
      releaseUnitDeletions(client, policy);
      client.namespaces().withName(ending).delete();
    }
  }

  /** A ValidatingAdmissionPolicy refusing the deletion of units in {@code namespace} (it runs inside the API server). */
  private static void holdUnitDeletions(KubernetesClient client, String name, String namespace) {
    client.resource("""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: %1$s}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: ["%2$s"], apiVersions: ["*"], operations: ["DELETE"], resources: ["operationalunits"]}
          validations:
          - {expression: "false", message: "held by NamespaceTerminationTest"}
        """.formatted(name, OperationalUnit.GROUP)).create();
    client.resource("""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: %1$s}
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %2$s}}
        """.formatted(name, namespace)).create();
  }

  private static void releaseUnitDeletions(KubernetesClient client, String name) {
    client
        .admissionRegistration()
        .v1()
        .validatingAdmissionPolicyBindings()
        .withName(name)
        .delete();
    client
        .admissionRegistration()
        .v1()
        .validatingAdmissionPolicies()
        .withName(name)
        .delete();
  }

  private static boolean deletionRefused(KubernetesClient client, OperationalUnit unit) {
    try {
      client.resource(unit).dryRun().delete();
      return false;
    } catch (KubernetesClientException e) {
      return e.getMessage().contains("held by NamespaceTerminationTest");
    }
  }

  /** True once the unit is gone; until then asks for its deletion again (the policy's removal takes a moment to apply). */
  private static boolean deleted(Units units) {
    if (units.get(UNIT) == null) return true;
    try {
      units.delete(UNIT);
    } catch (KubernetesClientException e) {
      // still held: the next poll tries again
    }
    return units.get(UNIT) == null;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
