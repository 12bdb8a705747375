package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The objects a unit makes beside its members converge like its members do: one deleted or edited by hand is back as
 * the unit wants it within seconds (not at the next spec change), and an unchanged one is never rewritten.
 */
class SecondaryObjectsTest extends EndToEndTest {
  private static final Duration RESTORED_WITHIN = Duration.ofSeconds(10);

  @Test
  void deletedOrEditedSupportingObjectsAreRestoredWithinSecondsAndUnchangedOnesAreLeftAlone() {
    String unit = "converge";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    await("PodDisruptionBudget on " + primary)
        .atMost(Duration.ofSeconds(20))
        .until(() -> budget(unit).get() != null
            && primary.equals(budget(unit)
                .get()
                .getSpec()
                .getSelector()
                .getMatchLabels()
                .get(ContractKeys.MEMBER_LABEL)));
    List<Resource<? extends HasMetadata>> objects =
        List.of(serviceAccount(unit), role(unit), roleBinding(unit), budget(unit), policy(unit));
    List<String> versions =
        objects.stream().map(o -> o.get().getMetadata().getResourceVersion()).toList();

    // Steady: the operator reconciles the unit many times a second for its members; it must not
    // rewrite these.
    sleep(Duration.ofSeconds(3));
    assertThat(objects.stream()
            .map(o -> o.get().getMetadata().getResourceVersion())
            .toList())
        .as("resource versions after 3 s of steady state")
        .isEqualTo(versions);

    for (Resource<? extends HasMetadata> o : objects) {
      String uid = o.get().getMetadata().getUid();
      o.withGracePeriod(0).delete();
      await(
              o.get() == null
                  ? "deleted object"
                  : "object " + o.get().getMetadata().getName() + " back")
          .atMost(RESTORED_WITHIN)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            HasMetadata now = o.get();
            return now != null
                && !uid.equals(now.getMetadata().getUid())
                && now.getMetadata().getDeletionTimestamp() == null;
          });
      assertThat(o.get().getMetadata().getOwnerReferences())
          .as("owned by the unit")
          .singleElement()
          .satisfies(r -> assertThat(r.getName()).isEqualTo(unit));
    }
    assertThat(budget(unit).get().getSpec().getSelector().getMatchLabels())
        .as("the restored budget protects the primary")
        .containsEntry(ContractKeys.MEMBER_LABEL, primary);

    role(unit).edit(r -> {
      r.setRules(List.of(new PolicyRuleBuilder()
          .withApiGroups("")
          .withResources("configmaps")
          .withVerbs("get")
          .build()));
      return r;
    });
    await("the member Role's rules restored")
        .atMost(RESTORED_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> role(unit).get().getRules().stream()
                .anyMatch(rule -> rule.getResources().contains("pods"))
            && role(unit).get().getRules().stream()
                .noneMatch(rule -> rule.getResources().contains("configmaps")));
    budget(unit).edit(b -> {
      b.getSpec()
          .getSelector()
          .setMatchLabels(
              Map.of(ContractKeys.UNIT_LABEL, unit, ContractKeys.MEMBER_LABEL, "someone-else"));
      return b;
    });
    await("the budget's selector restored")
        .atMost(RESTORED_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> primary.equals(budget(unit)
            .get()
            .getSpec()
            .getSelector()
            .getMatchLabels()
            .get(ContractKeys.MEMBER_LABEL)));
    assertThat(h.units.failovers(unit)).as("nothing failed over").isZero();
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    h.units.delete(unit);
  }

  private static Resource<ServiceAccount> serviceAccount(String unit) {
    return h.client.serviceAccounts().inNamespace(h.namespace).withName(unit + "-member");
  }

  private static Resource<Role> role(String unit) {
    return h.client.rbac().roles().inNamespace(h.namespace).withName(unit + "-member");
  }

  private static Resource<RoleBinding> roleBinding(String unit) {
    return h.client.rbac().roleBindings().inNamespace(h.namespace).withName(unit + "-member");
  }

  private static Resource<PodDisruptionBudget> budget(String unit) {
    return h.client.policy().v1().podDisruptionBudget().inNamespace(h.namespace).withName(unit);
  }

  private static Resource<NetworkPolicy> policy(String unit) {
    return h.client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(h.namespace)
        .withName(unit + "-replication");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
