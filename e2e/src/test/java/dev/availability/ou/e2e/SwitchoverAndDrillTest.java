package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.api.UnitPhase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 items 1 and 6 with the operator process on the real control plane: a switchover and a drill asked by
 * annotating the unit (as {@code kubectl annotate} and GitOps do), answered in {@code status.requests}, recorded in
 * {@code status.history}; a request that cannot be met is refused, saying why, and nothing moves.
 */
class SwitchoverAndDrillTest extends EndToEndTest {

  @Test
  void
      aSwitchoverAskedByAnnotationMovesTheServiceToTheInSyncStandbyCountedAsASwitchoverAndARestartDoesNotRepeatIt() {
    String unit = "sw-asked";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);

    annotate(unit, UnitAnnotations.SWITCHOVER_TO, "any@1");

    await("endpoints of " + unit + " on " + standby)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    await("Protected again after one switchover")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> status(unit).getSwitchovers() != null
            && status(unit).getSwitchovers() == 1
            && h.units.phase(unit) == UnitPhase.Protected
            && status(unit).getFailover() == null);
    OperationalUnitStatus s = status(unit);
    assertThat(s.getPrimary().getPod()).isEqualTo(standby);
    assertThat(s.getEpoch()).isEqualTo(2L);
    assertThat(s.getFailovers()).as("a switchover is no failover").isZero();
    RequestStatus answer = request(s, RequestStatus.Kind.Switchover).orElseThrow();
    assertThat(answer.getValue()).isEqualTo("any@1");
    assertThat(answer.getState()).isEqualTo(RequestStatus.State.Done);
    assertThat(answer.getMessage()).contains("from " + primary + " to " + standby);
    assertThat(s.getHistory()).hasSize(1);
    FailoverRecord entry = s.getHistory().get(0);
    assertThat(entry.getKind()).isEqualTo(FailoverRecord.Kind.Switchover);
    assertThat(entry.getReason()).isEqualTo("Requested");
    assertThat(entry.getFormerPrimary()).isEqualTo(primary);
    assertThat(entry.getNewPrimary()).isEqualTo(standby);
    assertThat(entry.getUpdatesLost()).isZero();
    assertThat(entry.getEndpointsSwitchedAt()).isNotNull();
    assertThat(Serialization.asJson(s.getLastFailover()))
        .as("lastFailover is the newest entry")
        .isEqualTo(Serialization.asJson(entry));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units
            .eventReasons(unit)
            .containsAll(java.util.List.of(
                "SwitchoverStarted", "StandbyPromoted", "TrafficSwitched", "SwitchoverCompleted")));
    assertThat(h.units.eventReasons(unit))
        .doesNotContain("FailoverStarted", "FailoverCompleted", "RequestRefused");

    // A restarted operator reads the answer from the status: "any@1" still on the unit moves
    // nothing again. It has reconciled the unit once it answered a request made after the restart
    // (a malformed drill, refused).
    h.operator.close();
    h.operator = h.startOperator("restarted");
    annotate(unit, UnitAnnotations.DRILL, " ");
    await("the restarted operator answered")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> request(status(unit), RequestStatus.Kind.Drill).isPresent());
    s = status(unit);
    assertThat(request(s, RequestStatus.Kind.Drill).orElseThrow().getState())
        .isEqualTo(RequestStatus.State.Refused);
    assertThat(request(s, RequestStatus.Kind.Drill).orElseThrow().getMessage())
        .contains("the drill value is empty");
    assertThat(s.getEpoch()).isEqualTo(2L);
    assertThat(s.getSwitchovers()).isEqualTo(1);
    assertThat(s.getFailover()).isNull();
    h.units.delete(unit);
  }

  @Test
  void aSwitchoverToAStandbyThatIsNotInSyncIsRefusedWithAWarningAndNothingMoves() {
    String unit = "sw-refused";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    h.doubles.of(standby).lagBehind(5);
    await("standby catching up")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.phase(unit) == UnitPhase.Synchronizing);

    annotate(unit, UnitAnnotations.SWITCHOVER_TO, standby);

    await("refused")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> request(status(unit), RequestStatus.Kind.Switchover)
            .filter(r -> standby.equals(r.getValue()))
            .isPresent());
    OperationalUnitStatus s = status(unit);
    RequestStatus answer = request(s, RequestStatus.Kind.Switchover).orElseThrow();
    assertThat(answer.getState()).isEqualTo(RequestStatus.State.Refused);
    assertThat(answer.getMessage())
        .contains(
            "standby " + standby + " is catching up (5 updates behind)", "Protected", "new value");
    assertThat(answer.getUpdatedAt()).isNotNull();
    assertThat(s.getPrimary().getPod()).isEqualTo(primary);
    assertThat(s.getEpoch()).isEqualTo(1L);
    assertThat(s.getFailover()).isNull();
    assertThat(s.getHistory()).isEmpty();
    await("a Warning event says why")
        .atMost(Duration.ofSeconds(10))
        .until(() -> events(unit).stream()
            .anyMatch(e -> "RequestRefused".equals(e.getReason())
                && "Warning".equals(e.getType())
                && e.getMessage()
                    .startsWith("switchover-to '" + standby + "' refused: standby " + standby
                        + " is catching up")));
    assertThat(h.units.endpointPods(unit)).containsExactly(primary);

    // Naming the primary is done at once: nothing to do.
    annotate(unit, UnitAnnotations.SWITCHOVER_TO, primary);
    await("done at once")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> request(status(unit), RequestStatus.Kind.Switchover)
            .filter(r -> primary.equals(r.getValue()) && r.getState() == RequestStatus.State.Done)
            .isPresent());
    assertThat(
            request(status(unit), RequestStatus.Kind.Switchover).orElseThrow().getMessage())
        .isEqualTo(primary + " is already the primary: nothing to do");
    assertThat(status(unit).getEpoch()).isEqualTo(1L);
    h.units.delete(unit);
  }

  @Test
  void aDrillPromotesTheInSyncStandbyTheWayAFaultDoesAndRecordsItsRecoveryCountedAsNoFailover() {
    String unit = "drill";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    Instant asked = Instant.now();

    annotate(unit, UnitAnnotations.DRILL, asked.toString());

    await("endpoints of " + unit + " on " + standby)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    Duration switched = Duration.between(asked, Instant.now());
    await("Protected again, the drill recorded with its timings")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.units.phase(unit) == UnitPhase.Protected
            && status(unit).getFailover() == null
            && !status(unit).getHistory().isEmpty()
            && status(unit).getHistory().get(0).getStandbyReadyAt() != null);
    // The operator saw the request after it was written and recorded the switch before this status
    // was read.
    Duration recorded = Duration.between(asked, Instant.now());
    OperationalUnitStatus s = status(unit);
    assertThat(s.getPrimary().getPod()).isEqualTo(standby);
    assertThat(s.getEpoch()).isEqualTo(2L);
    assertThat(s.getFailovers()).as("a drill is no failover").isZero();
    assertThat(Optional.ofNullable(s.getSwitchovers()).orElse(0))
        .as("nor a switchover")
        .isZero();
    FailoverRecord drill = s.getHistory().get(0);
    assertThat(drill.getKind()).isEqualTo(FailoverRecord.Kind.Drill);
    assertThat(drill.getReason()).isEqualTo("Drill");
    assertThat(drill.getPlanned()).isNull();
    assertThat(drill.getFormerPrimary()).isEqualTo(primary);
    assertThat(drill.getUpdatesLost()).as("RPO").isZero();
    assertThat(drill.getEndpointsSwitchedAt()).isNotNull();
    assertThat(drill.getTrafficSwitchedMillis())
        .as("RTO: the request to the endpoints switched")
        .isPositive()
        .isLessThanOrEqualTo(recorded.toMillis());
    assertThat(drill.getDetectionMillis())
        .as("nothing to detect: the fault is the request")
        .isZero();
    RequestStatus answer = request(s, RequestStatus.Kind.Drill).orElseThrow();
    assertThat(answer.getValue()).isEqualTo(asked.toString());
    assertThat(answer.getState()).isEqualTo(RequestStatus.State.Done);
    assertThat(answer.getMessage())
        .contains("drill from " + primary + " to " + standby, "ms after the request");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units
            .eventReasons(unit)
            .containsAll(java.util.List.of(
                "DrillStarted",
                "PrimaryFenced",
                "StandbyPromoted",
                "TrafficSwitched",
                "DrillCompleted")));
    assertThat(h.units.eventReasons(unit)).doesNotContain("FailoverStarted", "SwitchoverStarted");
    System.out.printf(
        "[drill] %s: request -> endpoints on standby %d ms (status: RTO %s ms, RPO %s updates, within budget %s)%n",
        unit,
        switched.toMillis(),
        drill.getTrafficSwitchedMillis(),
        drill.getUpdatesLost(),
        drill.getWithinRecoveryBudget());
    h.units.delete(unit);
  }

  private void annotate(String unit, String key, String value) {
    h.units.annotate(unit, key, value);
  }

  private static OperationalUnitStatus status(String unit) {
    return Optional.ofNullable(h.units.get(unit).getStatus()).orElseGet(OperationalUnitStatus::new);
  }

  private static Optional<RequestStatus> request(OperationalUnitStatus s, RequestStatus.Kind kind) {
    return s.getRequests() == null
        ? Optional.empty()
        : s.getRequests().stream().filter(r -> r.getKind() == kind).findFirst();
  }

  private static java.util.List<Event> events(String unit) {
    return h.client
        .v1()
        .events()
        .inNamespace(h.namespace)
        .withField("involvedObject.name", unit)
        .list()
        .getItems();
  }
}
