package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The walking skeleton: what a unit becomes, how it is shown, validated, changed and deleted. */
class UnitLifecycleTest extends EndToEndTest {

  @Test
  void aUnitBecomesAPrimaryAndAStandbyOnDifferentNodesBehindItsService() {
    String unit = "life-basic";
    h.createProtected(unit);
    var status = h.units.get(unit).getStatus();
    String primary = status.getPrimary().getPod();
    String standby = status.getStandby().getPod();
    assertThat(List.of(primary, standby)).containsExactly(unit + "-0", unit + "-1");
    assertThat(status.getPrimary().getNode())
        .isNotEqualTo(status.getStandby().getNode())
        .isEqualTo(h.units.nodeOf(primary));
    assertThat(status.getEpoch()).isEqualTo(1L);
    assertThat(status.getObservedGeneration())
        .isEqualTo(h.units.get(unit).getMetadata().getGeneration());
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .contains("Ready", "Protected", "FailoverInProgress", "Degraded");
    assertThat(status.getConditions()).allSatisfy(c -> {
      assertThat(c.getReason()).isNotBlank();
      assertThat(c.getLastTransitionTime()).isNotBlank();
      assertThat(c.getObservedGeneration()).isNotNull();
    });

    Pod p = h.client.pods().inNamespace(h.namespace).withName(primary).get();
    assertThat(p.getMetadata().getLabels())
        .containsEntry(ContractKeys.UNIT_LABEL, unit)
        .containsEntry(ContractKeys.ROLE_LABEL, "primary");
    assertThat(p.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("OperationalUnit"));
    assertThat(p.getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("kvstore", ContractKeys.SIDECAR_CONTAINER);
    var anti = p.getSpec()
        .getAffinity()
        .getPodAntiAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution();
    assertThat(anti).singleElement().satisfies(t -> {
      assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(t.getLabelSelector().getMatchLabels())
          .containsEntry(ContractKeys.UNIT_LABEL, unit);
    });
    var service = h.client.services().inNamespace(h.namespace).withName(unit).get();
    assertThat(service.getSpec().getSelector()).containsEntry(ContractKeys.MEMBER_LABEL, primary);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(primary)));

    String table = kubectl("get", "ou", unit);
    assertThat(table.lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "PRIMARY", "STANDBY", "PHASE", "LAG", "FAILOVERS", "AGE");
    assertThat(table).contains(primary).contains(standby).contains("Protected");
    assertThat(kubectl("get", "operationalunits.ou.availability.dev", unit)).contains(primary);
    String wide = kubectl("get", "ou", unit, "-o", "wide");
    assertThat(wide.lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "PRIMARY", "PHASE", "AGE", "EPOCH", "MODE");
    assertThat(wide).contains("Synchronous");
    assertThat(kubectl("explain", "ou.status.standby.lag"))
        .as("kubectl explain shows the CRD's descriptions")
        .contains("Updates the standby trails the primary by");
  }

  @Test
  void deletingAUnitRemovesEverythingItMade() {
    String unit = "life-delete";
    h.createProtected(unit);
    assertThat(h.client
            .leases()
            .inNamespace(h.namespace)
            .withName(ContractKeys.primaryLeaseName(unit))
            .get())
        .isNotNull();
    assertThat(h.client
            .secrets()
            .inNamespace(h.namespace)
            .withName(ContractKeys.peerSecretName(unit))
            .get())
        .isNotNull();
    assertThat(h.client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(h.namespace)
            .withName(unit + "-replication")
            .get())
        .isNotNull();
    h.units.delete(unit);
    await("everything of " + unit + " garbage-collected")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.memberPods(unit).isEmpty()
            && h.client
                .pods()
                .inNamespace(h.namespace)
                .withLabel(ContractKeys.UNIT_LABEL, unit)
                .list()
                .getItems()
                .isEmpty()
            && h.client.services().inNamespace(h.namespace).withName(unit).get() == null
            && h.client
                    .leases()
                    .inNamespace(h.namespace)
                    .withName(ContractKeys.primaryLeaseName(unit))
                    .get()
                == null
            && h.client
                    .secrets()
                    .inNamespace(h.namespace)
                    .withName(ContractKeys.peerSecretName(unit))
                    .get()
                == null
            && h.client
                    .rbac()
                    .roles()
                    .inNamespace(h.namespace)
                    .withName(unit + "-member")
                    .get()
                == null
            && h.client
                    .policy()
                    .v1()
                    .podDisruptionBudget()
                    .inNamespace(h.namespace)
                    .withName(unit)
                    .get()
                == null
            && h.client
                    .network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(h.namespace)
                    .withName(unit + "-replication")
                    .get()
                == null);
  }

  /**
   * Units carry no finalizer, and the operator takes off the one earlier versions put on every unit: deleting a unit
   * completes, with everything it made, while no operator runs (an operator uninstalled first, or down).
   */
  @Test
  void deletingAUnitCompletesWithNoOperatorRunning() {
    String unit = "life-orphan";
    String former = "life-former";
    h.createProtected(unit);
    OperationalUnit old = Units.sample(h.repoRoot, former, UnitHarness.BUDGET);
    old.getMetadata()
        .setFinalizers(List.of(
            "operationalunits.ou.availability.dev/finalizer")); // as earlier operators left it
    h.units.create(old);
    assertThat(h.units.get(unit).getMetadata().getFinalizers())
        .as("finalizers of a unit the operator runs")
        .isNullOrEmpty();
    await("the operator takes the former finalizer off")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.get(former).getMetadata().getFinalizers() == null
            || h.units.get(former).getMetadata().getFinalizers().isEmpty());
    h.operator.close();
    try {
      h.units.delete(unit);
      h.units.delete(former);
      await("both units and their members gone, with no operator")
          .atMost(Duration.ofSeconds(60))
          .until(() -> h.units.get(unit) == null
              && h.units.get(former) == null
              && h.units.memberPods(unit).isEmpty()
              && h.units.memberPods(former).isEmpty()
              && h.client.services().inNamespace(h.namespace).withName(unit).get() == null);
    } finally {
      h.operator = h.startOperator("operator-after-orphan");
    }
  }

  @Test
  void invalidUnitsAreRefusedByTheApiServerWithWhatToFix() {
    refused(
        "recovery-over-max",
        u -> {
          u.getSpec().getFailover().setResponseTimeBudget("4s");
          u.getSpec().getFailover().setRecoveryBudget("5s");
        },
        "must not exceed spec.failover.responseTimeBudget");
    refused(
        "lag-in-sync",
        u -> u.getSpec().getReplication().setMaxPromotableLag(10L),
        "maxPromotableLag applies to mode Asynchronous only");
    refused(
        "bad-duration",
        u -> u.getSpec().getFailover().setResponseTimeBudget("10 seconds"),
        "responseTimeBudget");
    refused(
        "too-short", u -> u.getSpec().getFailover().setResponseTimeBudget("500ms"), "at least 1s");
    refused(
        "dup-ports",
        u -> {
          var p = u.getSpec().getService().getPorts().get(0);
          var q = new dev.availability.ou.api.UnitPort("other", p.getPort());
          u.getSpec().getService().setPorts(List.of(p, q));
        },
        "each port number may appear once");
    refused(
        "unnamed-ports",
        u -> {
          var p = u.getSpec().getService().getPorts().get(0);
          var q = new dev.availability.ou.api.UnitPort(null, 81);
          u.getSpec().getService().setPorts(List.of(p, q));
        },
        "every port needs a name");
    refused(
        "no-containers",
        u -> u.getSpec().getTemplate().getSpec().setContainers(List.of()),
        "containers");
    refused(
        "reserved-name",
        u -> u.getSpec().getTemplate().getSpec().getContainers().get(0).setName("ou-sidecar"),
        "reserved");
    assertThat(h.client
            .resources(OperationalUnit.class)
            .inNamespace(h.namespace)
            .list()
            .getItems())
        .extracting(x -> x.getMetadata().getName())
        .doesNotContain("recovery-over-max", "lag-in-sync", "dup-ports");
  }

  @Test
  void whatOnlyTheOperatorCanCheckIsReportedAsInvalidSpecAndNothingIsCreated() {
    String unit = "life-reserved-port";
    OperationalUnit u = Units.sample(h.repoRoot, unit, UnitHarness.BUDGET);
    var port = new ContainerPort();
    port.setContainerPort(ContractKeys.REPLICATION_PORT);
    u.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().add(port);
    h.units.create(u);
    await("InvalidSpec reported").atMost(Duration.ofSeconds(30)).until(() -> {
      var s = h.units.get(unit).getStatus();
      return s != null
          && s.getConditions().stream()
              .anyMatch(
                  c -> "InvalidSpec".equals(c.getReason()) && c.getMessage().contains("7480"));
    });
    assertThat(h.units.memberPods(unit)).isEmpty();
    assertThat(h.client.services().inNamespace(h.namespace).withName(unit).get())
        .isNull();
    h.units.delete(unit);
  }

  @Test
  void aServiceNamedLikeTheUnitThatItDidNotCreateIsNeverTakenOverAndTheUnitWaitsUntilItIsGone() {
    String unit = "life-foreign-svc";
    Service foreign = h.client
        .services()
        .inNamespace(h.namespace)
        .resource(new ServiceBuilder()
            .withNewMetadata()
            .withName(unit)
            .addToLabels("owner", "someone-else")
            .endMetadata()
            .withNewSpec()
            .addToSelector("app", "someone-else")
            .addNewPort()
            .withPort(9999)
            .endPort()
            .endSpec()
            .build())
        .create();
    h.units.create(Units.sample(h.repoRoot, unit, UnitHarness.BUDGET));

    await("NameConflict reported")
        .atMost(Duration.ofSeconds(30))
        .until(() -> degradedReason(unit).equals("NameConflict"));
    assertThat(condition(unit, "Degraded").getMessage()).contains("Service " + unit);
    await("NameConflict warning recorded")
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units.eventReasons(unit).contains("NameConflict"));
    Service after = h.client.services().inNamespace(h.namespace).withName(unit).get();
    assertThat(after.getMetadata().getResourceVersion())
        .as("the Service is untouched")
        .isEqualTo(foreign.getMetadata().getResourceVersion());
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(after.getSpec().getSelector()).isEqualTo(Map.of("app", "someone-else"));
    assertThat(h.units.memberPods(unit)).as("no member pods").isEmpty();
    assertThat(h.client
            .rbac()
            .roles()
            .inNamespace(h.namespace)
            .withName(unit + "-member")
            .get())
        .as("nothing applied")
        .isNull();

    h.client.services().inNamespace(h.namespace).withName(unit).delete();
    h.awaitProtected(unit);
    assertThat(degradedReason(unit)).isEqualTo("AsExpected");
    h.units.delete(unit);
  }

  @Test
  void aPodNamedLikeAMemberThatTheUnitDidNotCreateIsNeitherAdoptedNorDeleted() {
    String unit = "life-foreign-pod";
    Pod foreign = h.client
        .pods()
        .inNamespace(h.namespace)
        .resource(new PodBuilder()
            .withNewMetadata()
            .withName(unit + "-0")
            .addToLabels(ContractKeys.UNIT_LABEL, unit)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("other")
            .withImage("someone-else:1")
            .endContainer()
            .addNewToleration()
            .withOperator("Exists")
            .endToleration()
            .endSpec()
            .build())
        .create();
    h.units.create(Units.sample(h.repoRoot, unit, UnitHarness.BUDGET));

    await("NameConflict reported")
        .atMost(Duration.ofSeconds(30))
        .until(() -> degradedReason(unit).equals("NameConflict"));
    assertThat(condition(unit, "Degraded").getMessage()).contains("Pod " + unit + "-0");
    Pod after = h.client.pods().inNamespace(h.namespace).withName(unit + "-0").get();
    assertThat(after).as("the pod is not deleted").isNotNull();
    assertThat(after.getMetadata().getUid()).isEqualTo(foreign.getMetadata().getUid());
    assertThat(after.getMetadata().getOwnerReferences()).as("not adopted").isNullOrEmpty();
    assertThat(after.getMetadata().getAnnotations())
        .as("never assigned")
        .doesNotContainKey(ContractKeys.ASSIGNMENT_ANNOTATION);
    h.units.delete(unit);
    h.client
        .pods()
        .inNamespace(h.namespace)
        .withName(unit + "-0")
        .withGracePeriod(0)
        .delete();
  }

  private static String degradedReason(String unit) {
    Condition c = condition(unit, "Degraded");
    return c == null ? "" : c.getReason();
  }

  private static Condition condition(String unit, String type) {
    var u = h.units.get(unit);
    if (u == null || u.getStatus() == null || u.getStatus().getConditions() == null) return null;
    return u.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  @Test
  void onlyTheUnitsMembersMayOpenItsReplicationPortAndAnUnencryptedStreamIsWarned() {
    String unit = "life-plain";
    OperationalUnit u = Units.sample(h.repoRoot, unit, UnitHarness.BUDGET);
    u.getSpec().getReplication().setEncryptStream(false);
    h.units.create(u);
    h.awaitProtected(unit);

    // The API server accepted the policy as built (its validation of ports and endPort ranges is
    // the real one).
    var policy = h.client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(h.namespace)
        .withName(unit + "-replication")
        .get();
    assertThat(policy).as("NetworkPolicy " + unit + "-replication").isNotNull();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .containsEntry(ContractKeys.UNIT_LABEL, unit);
    var ingress = policy.getSpec().getIngress();
    assertThat(ingress.get(0).getFrom())
        .singleElement()
        .satisfies(f -> assertThat(f.getPodSelector().getMatchLabels())
            .containsEntry(ContractKeys.UNIT_LABEL, unit));
    assertThat(ingress.get(0).getPorts())
        .singleElement()
        .satisfies(
            p -> assertThat(p.getPort().getIntVal()).isEqualTo(ContractKeys.REPLICATION_PORT));
    assertThat(ingress.get(1).getFrom()).isNullOrEmpty();
    assertThat(ingress.get(1).getPorts())
        .noneMatch(p -> "TCP".equals(p.getProtocol())
            && p.getPort().getIntVal() <= ContractKeys.REPLICATION_PORT
            && ContractKeys.REPLICATION_PORT <= p.getEndPort());

    await("UnsafeSpec warning recorded")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.eventReasons(unit).contains("UnsafeSpec"));
    var warning = h
        .client
        .v1()
        .events()
        .inNamespace(h.namespace)
        .withField("involvedObject.name", unit)
        .list()
        .getItems()
        .stream()
        .filter(e -> "UnsafeSpec".equals(e.getReason()))
        .findFirst()
        .orElseThrow();
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage()).contains("encryptStream is false");
    h.units.delete(unit);
  }

  @Test
  void aSpecChangeRollsTheStandbyFirstThenSwitchesOverWithoutAFailover() {
    String unit = "life-roll";
    h.createProtected(unit);
    String oldPrimary = h.units.primary(unit);
    String oldStandby = h.units.standby(unit);
    OperationalUnit u = h.units.get(unit);
    u.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setEnv(List.of(new EnvVar("GREETING", "v2", null)));
    h.client
        .resources(OperationalUnit.class)
        .inNamespace(h.namespace)
        .resource(u)
        .update();

    await("both members replaced, Protected, no failover")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          List<String> members = h.units.memberPods(unit);
          return h.units.phase(unit) == UnitPhase.Protected
              && !members.contains(oldPrimary)
              && !members.contains(oldStandby)
              && members.size() == 2
              && members.stream().allMatch(m -> hasGreeting(m));
        });
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.get(unit).getStatus().getLastFailover().getPlanned()).isTrue();
    assertThat(h.units.eventReasons(unit))
        .contains("RollingUpdate", "SwitchoverStarted", "SwitchoverCompleted")
        .doesNotContain("FailoverStarted");
    h.units.delete(unit);
  }

  private static boolean hasGreeting(String pod) {
    Pod p = h.client.pods().inNamespace(h.namespace).withName(pod).get();
    return p != null
        && p.getSpec().getContainers().get(0).getEnv() != null
        && p.getSpec().getContainers().get(0).getEnv().stream()
            .anyMatch(e -> "GREETING".equals(e.getName()));
  }

  private static void refused(String name, Consumer<OperationalUnit> breakIt, String expected) {
    OperationalUnit u = Units.sample(h.repoRoot, name, UnitHarness.BUDGET);
    breakIt.accept(u);
    assertThatThrownBy(() -> h.units.create(u))
        .as(name)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(expected);
  }

  private static String kubectl(String... args) {
    try {
      String bin = cluster.run("bin-dir").trim();
      List<String> cmd = new java.util.ArrayList<>(List.of(
          bin + "/kubectl", "--kubeconfig", cluster.kubeconfig().toString(), "-n", h.namespace));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
