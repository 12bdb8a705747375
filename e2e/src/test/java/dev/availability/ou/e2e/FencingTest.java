package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fencing a member by annotation ({@code ou.availability.dev/fenced-members}) on the real control plane, the operator
 * running as a process and sidecar doubles following their assignments: a fenced member is assigned Fenced, is out of
 * the Service's endpoints, is kept (never deleted nor replaced), and unfencing it brings it back.
 */
class FencingTest extends EndToEndTest {

  @Test
  void aFencedStandbyServesNothingIsKeptAndRejoinsWhenUnfenced() {
    String unit = "fence-standby";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);

    annotate(unit, standby);

    await("standby " + standby + " fenced, the unit Unprotected")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.doubles.of(standby).role() == Role.Fenced
            && h.units.phase(unit) == UnitPhase.Unprotected);
    // Kept, not replaced: no pod is created or deleted while it stays fenced.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.units
            .memberPods(unit)
            .equals(List.of(primary, standby).stream().sorted().toList()));
    assertThat(condition(unit, "Protected").getReason()).isEqualTo("StandbyFenced");
    assertThat(condition(unit, "Protected").getMessage())
        .contains(standby, "Remove " + standby + " from " + UnitAnnotations.FENCED_MEMBERS);
    assertThat(roleLabel(standby)).isEqualTo(Role.Fenced.label());
    assertThat(h.units.endpointPods(unit)).containsExactly(primary);
    assertThat(warning(unit, "MemberFenced").getMessage()).contains(standby, "unprotected");
    assertThat(h.units.failovers(unit)).isZero();

    annotate(unit, null);

    h.awaitProtected(unit);
    assertThat(h.units.standby(unit)).isEqualTo(standby);
    assertThat(h.doubles.of(standby).role()).isEqualTo(Role.Standby);
    assertThat(h.units.memberPods(unit)).containsExactlyInAnyOrder(primary, standby);
    assertThat(h.units.eventReasons(unit)).contains("MemberUnfenced");
    h.units.delete(unit);
  }

  @Test
  void aFencedPrimaryFailsOverToTheInSyncStandbyAndIsKeptOutOfTheService() {
    String unit = "fence-primary";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);

    annotate(unit, primary);

    await("endpoints of " + unit + " on " + standby)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    await("the failover done, " + primary + " fenced")
        .atMost(Duration.ofSeconds(30))
        .until(() -> standby.equals(h.units.primary(unit))
            && h.units.get(unit).getStatus().getFailover() == null
            && h.doubles.of(primary).role() == Role.Fenced);
    var status = h.units.get(unit).getStatus();
    assertThat(status.getFailovers()).isEqualTo(1);
    assertThat(status.getEpoch()).isEqualTo(2L);
    assertThat(status.getLastFailover().getReason()).isEqualTo("Fenced");
    assertThat(status.getLastFailover().getFormerPrimary()).isEqualTo(primary);
    assertThat(status.getStandby().getPod())
        .as("the fenced member keeps the standby's place")
        .isEqualTo(primary);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.units
                .memberPods(unit)
                .equals(List.of(primary, standby).stream().sorted().toList())
            && h.units.endpointPods(unit).equals(Set.of(standby)));
    assertThat(roleLabel(primary)).isEqualTo(Role.Fenced.label());
    assertThat(h.units.eventReasons(unit))
        .contains("FailoverStarted", "TrafficSwitched", "FailoverCompleted")
        .doesNotContain("FormerPrimaryDeleted");
    assertThat(h.units.phase(unit)).isEqualTo(UnitPhase.Unprotected);

    annotate(unit, "");

    await("the former primary rejoins as standby")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.phase(unit) == UnitPhase.Protected
            && h.doubles.of(primary).role() == Role.Standby);
    assertThat(h.units.primary(unit)).isEqualTo(standby);
    assertThat(h.units.memberPods(unit)).containsExactlyInAnyOrder(primary, standby);
    h.units.delete(unit);
  }

  @Test
  void aFencedPrimaryWithNoStandbyInSyncLeavesTheUnitWithoutAServingPrimaryAndSaysSo() {
    String unit = "fence-alone";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    h.doubles.of(standby).lagBehind(5);
    await("standby trails")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.phase(unit) == UnitPhase.Synchronizing);

    annotate(unit, primary);

    await("no serving primary")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.phase(unit) == UnitPhase.Degraded
            && h.doubles.of(primary).role() == Role.Fenced
            && h.units.endpointPods(unit).isEmpty());
    Condition degraded = condition(unit, "Degraded");
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("PrimaryFenced");
    assertThat(degraded.getMessage())
        .contains(
            "no serving primary",
            "selects no pod",
            "Remove " + primary + " from " + UnitAnnotations.FENCED_MEMBERS);
    assertThat(h.client
            .services()
            .inNamespace(h.namespace)
            .withName(unit)
            .get()
            .getSpec()
            .getSelector())
        .containsEntry(ContractKeys.MEMBER_LABEL, "");
    assertThat(warning(unit, "MemberFenced").getMessage()).contains(primary, "no serving primary");
    RequestStatus answer = request(unit, RequestStatus.Kind.Fence);
    assertThat(answer.getValue()).isEqualTo(primary);
    assertThat(answer.getMessage()).contains("no serving primary", "Remove " + primary);
    var status = h.units.get(unit).getStatus();
    assertThat(status.getPrimary().getPod()).isEqualTo(primary);
    assertThat(status.getFailovers()).isZero();
    assertThat(status.getEpoch()).isEqualTo(2L);
    assertThat(h.units.memberPods(unit)).containsExactlyInAnyOrder(primary, standby);

    h.doubles.of(standby).lagBehind(0);
    annotate(unit, null);

    await("the unfenced primary serves again, protected")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(primary))
            && h.units.phase(unit) == UnitPhase.Protected
            && h.leaseRenewedBy(unit, primary));
    status = h.units.get(unit).getStatus();
    assertThat(status.getPrimary().getPod()).isEqualTo(primary);
    assertThat(status.getFailovers()).isZero();
    assertThat(status.getEpoch())
        .as("it serves at the epoch it was fenced at, one it never served at")
        .isEqualTo(2L);
    assertThat(h.units.eventReasons(unit))
        .contains("MemberUnfenced")
        .doesNotContain("FailoverStarted");
    h.units.delete(unit);
  }

  /** Sets (or, with null, removes) the unit's fenced-members annotation. */
  private static void annotate(String unit, String members) {
    h.units.annotate(unit, UnitAnnotations.FENCED_MEMBERS, members);
  }

  private static Condition condition(String unit, String type) {
    return h.units.get(unit).getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  private static RequestStatus request(String unit, RequestStatus.Kind kind) {
    return h.units.get(unit).getStatus().getRequests().stream()
        .filter(r -> r.getKind() == kind)
        .findFirst()
        .orElseThrow();
  }

  private static String roleLabel(String pod) {
    return h.client
        .pods()
        .inNamespace(h.namespace)
        .withName(pod)
        .get()
        .getMetadata()
        .getLabels()
        .get(ContractKeys.ROLE_LABEL);
  }

  private static Event warning(String unit, String reason) {
    await(reason + " event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units.eventReasons(unit).contains(reason));
    Event e = h
        .client
        .v1()
        .events()
        .inNamespace(h.namespace)
        .withField("involvedObject.name", unit)
        .list()
        .getItems()
        .stream()
        .filter(x -> reason.equals(x.getReason()))
        .findFirst()
        .orElseThrow();
    assertThat(e.getType()).isEqualTo("Warning");
    return e;
  }
}
