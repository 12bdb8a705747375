package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.DependencySpec;
import dev.availability.ou.api.DependencyStatus;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Units that depend on units ({@code spec.dependsOn}), on the real control plane with the operator running as a
 * process: a dependency left without a serving primary is reported unavailable once its recovery budget has passed (not
 * before), the dependent's members are told through their assignment, and it is reported available again when it
 * serves again; a missing dependency is reported NotFound; a cycle is refused.
 */
class DependenciesTest extends EndToEndTest {
  // UnitHarness.BUDGET 10s: the dependency's recovery budget, the default unavailableAfter, is 5 s.
  static final Duration RECOVERY = Duration.ofSeconds(5);

  @Test
  void
      aDependencyWithNoServingPrimaryIsReportedAfterItsBudgetAndTheMembersAreToldUntilItServesAgain() {
    String db = "deps-db";
    String web = "deps-web";
    // No automatic failover for db: its primary's crash leaves it without a serving primary until
    // it is replaced
    // (with a standby promoted in 1.4 s, as sidecar doubles start at once, the outage would be
    // within its budget,
    // and rightly not reported).
    OperationalUnit dbUnit = Units.sample(h.repoRoot, db, UnitHarness.BUDGET);
    dbUnit.getSpec().getFailover().setAutomatic(false);
    h.units.create(dbUnit);
    h.awaitProtected(db);
    h.units.create(dependent(web, db));
    h.awaitProtected(web);
    await("DependenciesAvailable True")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "True".equals(condition(web).getStatus()));
    assertThat(h.units.get(web).getStatus().getDependencies())
        .singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo("Serving"));

    // The dependency's primary stops: its application container dies, and nobody takes over.
    faults.setContainerTerminated(h.namespace, h.units.primary(db), "kvstore", 137);

    await("DependenciesAvailable False naming " + db)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "False".equals(condition(web).getStatus()));
    Condition c = condition(web);
    assertThat(c.getReason()).isEqualTo("DependencyUnavailable");
    assertThat(c.getMessage()).contains("dependency " + db);
    DependencyStatus d = h.units.get(web).getStatus().getDependencies().get(0);
    assertThat(d.getAvailable()).isFalse();
    assertThat(d.getReason()).isEqualTo("NoServingPrimary");
    // Declared once the budget had passed since the outage began, not before, and promptly then.
    Duration declaredAfter =
        Duration.between(Instant.parse(d.getSince()), Instant.parse(c.getLastTransitionTime()));
    System.out.println("dependency declared unavailable " + declaredAfter.toMillis()
        + " ms after its outage began (unavailableAfter " + RECOVERY.toMillis() + " ms)");
    assertThat(declaredAfter)
        .isGreaterThanOrEqualTo(RECOVERY.minusMillis(1))
        .isLessThan(RECOVERY.plusSeconds(2));
    await("the dependent's members told")
        .atMost(Duration.ofSeconds(10))
        .until(() -> assignment(h.units.primary(web)).unavailableDependencies().equals(List.of(db))
            && assignment(h.units.standby(web)).unavailableDependencies().equals(List.of(db)));
    // Events are written on the operator's event thread, after the members are told.
    await("event DependencyUnavailable")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(h.units.eventReasons(web)).contains("DependencyUnavailable"));

    // The dependency goes; then a new one of that name serves.
    h.units.delete(db);
    await("NotFound")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "NotFound"
            .equals(h.units.get(web).getStatus().getDependencies().get(0).getReason()));
    await("the old " + db + " gone")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.get(db) == null && h.units.memberPods(db).isEmpty());
    h.createProtected(db);
    await("DependenciesAvailable True again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "True".equals(condition(web).getStatus()));
    await("the dependent's members told it is back")
        .atMost(Duration.ofSeconds(10))
        .until(() -> assignment(h.units.primary(web)).unavailableDependencies().isEmpty());
    // Events are written on the operator's event thread, after the members are told.
    await("event DependencyAvailable")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(h.units.eventReasons(web)).contains("DependencyAvailable"));
    h.units.delete(web);
    h.units.delete(db);
  }

  @Test
  void aMissingDependencyIsReportedAndACycleIsRefused() {
    h.units.create(dependent("deps-lonely", "deps-ghost"));
    await("NotFound reported")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "False".equals(condition("deps-lonely").getStatus()));
    assertThat(condition("deps-lonely").getMessage()).contains("dependency deps-ghost not found");

    h.units.create(dependent("deps-a", "deps-b"));
    h.units.create(dependent("deps-b", "deps-a"));
    for (String u : List.of("deps-a", "deps-b")) {
      await(u + " refused")
          .atMost(Duration.ofSeconds(60))
          .until(() -> String.valueOf(degraded(u).getMessage()).contains("dependency cycle"));
      assertThat(degraded(u).getReason()).isEqualTo("InvalidSpec");
    }
    assertThat(degraded("deps-a").getMessage()).contains("deps-a -> deps-b -> deps-a");
    h.units.delete("deps-a");
    h.units.delete("deps-b");
    h.units.delete("deps-lonely");
  }

  private static OperationalUnit dependent(String name, String dependency) {
    OperationalUnit u = Units.sample(h.repoRoot, name, UnitHarness.BUDGET);
    u.getSpec().setDependsOn(List.of(new DependencySpec(dependency, null)));
    return u;
  }

  private static Assignment assignment(String pod) {
    var p = h.client.pods().inNamespace(h.namespace).withName(pod).get();
    return ContractJson.assignment(
        p.getMetadata().getAnnotations().get(ContractKeys.ASSIGNMENT_ANNOTATION));
  }

  private static Condition condition(String unit) {
    return conditionOf(unit, "DependenciesAvailable");
  }

  private static Condition degraded(String unit) {
    return conditionOf(unit, "Degraded");
  }

  private static Condition conditionOf(String unit, String type) {
    OperationalUnit u = h.units.get(unit);
    if (u == null || u.getStatus() == null) return new Condition();
    return u.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(new Condition());
  }
}
