package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pausing a unit by annotation ({@code ou.availability.dev/paused: "true"}) on the real control plane, the operator
 * running as a process: it reports what it would do and does nothing; resuming acts on what it then observes.
 */
class PauseTest extends EndToEndTest {

  @Test
  void aPausedUnitDoesNotFailOverAndSaysWhatItWouldDoThenFailsOverOnceResumed() {
    String unit = "pause-kill";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);

    annotate(unit, "true");
    await("Paused condition")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "True".equals(condition(unit, "Paused").getStatus()));
    assertThat(condition(unit, "Paused").getReason()).isEqualTo("PausedByAnnotation");
    assertThat(h.units.eventReasons(unit)).contains("Paused");

    faults.deletePod(h.namespace, primary);

    await("the would-be failover reported")
        .atMost(Duration.ofSeconds(30))
        .until(() -> String.valueOf(condition(unit, "Paused").getMessage())
            .contains("fail over from " + primary + " to " + standby));
    // Nothing is done: no promotion, no new pod, no assignment, the Service and the lease as they
    // were.
    String leaseHolder = lease(unit);
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> h.units.memberPods(unit).equals(List.of(standby))
            && primary.equals(h.units.primary(unit))
            && h.units.failovers(unit) == 0
            && h.units.get(unit).getStatus().getFailover() == null
            && primary.equals(selectedMember(unit))
            && leaseHolder.equals(lease(unit)));
    assertThat(h.units.phase(unit)).isEqualTo(UnitPhase.Degraded);
    assertThat(condition(unit, "Degraded").getMessage()).contains(primary, "paused");
    assertThat(h.units.eventReasons(unit)).contains("ActionHeld").doesNotContain("FailoverStarted");
    assertThat(leaseHolder).isEqualTo(primary + "@1");

    annotate(unit, null);

    await("endpoints of " + unit + " on " + standby + " once resumed")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    await("Protected again with one failover")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.failovers(unit) == 1 && h.units.phase(unit) == UnitPhase.Protected);
    assertThat("False").isEqualTo(condition(unit, "Paused").getStatus());
    assertThat(h.units.eventReasons(unit))
        .contains("Resumed", "FailoverStarted", "FailoverCompleted");
    h.units.delete(unit);
  }

  private static void annotate(String unit, String value) {
    h.units.annotate(unit, UnitAnnotations.PAUSED, value);
  }

  private static Condition condition(String unit, String type) {
    return h.units.get(unit).getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(new Condition());
  }

  private static String selectedMember(String unit) {
    return h.client
        .services()
        .inNamespace(h.namespace)
        .withName(unit)
        .get()
        .getSpec()
        .getSelector()
        .get(ContractKeys.MEMBER_LABEL);
  }

  private static String lease(String unit) {
    var l = h.client
        .leases()
        .inNamespace(h.namespace)
        .withName(ContractKeys.primaryLeaseName(unit))
        .get();
    return l == null
        ? null
        : l.getSpec().getHolderIdentity() + "@"
            + l.getMetadata().getAnnotations().get(ContractKeys.LEASE_EPOCH_ANNOTATION);
  }
}
