package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnitMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final UnitMetrics metrics = new UnitMetrics(registry);

  @Test
  void countsUnitsByPhaseAndTimeSpentInEach() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    metrics.observe(unit, UnitPhase.Pending, t);
    assertThat(registry.get("ou_units").tag("phase", "Pending").gauge().value()).isEqualTo(1.0);
    metrics.observe(unit, UnitPhase.Protected, t.plusMillis(1500));
    assertThat(registry.get("ou_units").tag("phase", "Pending").gauge().value()).isZero();
    assertThat(registry.get("ou_units").tag("phase", "Protected").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry
            .get("ou_phase_seconds_total")
            .tag("phase", "Pending")
            .counter()
            .count())
        .isEqualTo(1.5);
    metrics.forget(unit);
    assertThat(registry.get("ou_units").tag("phase", "Protected").gauge().value())
        .isZero();
  }

  @Test
  void countsFailoversSwitchoversAndDrillsApartAndRecordsTheLastOnesParts() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    metrics.promoted(unit, FailoverRecord.Kind.Failover, "NodeNotReady");
    metrics.promoted(unit, FailoverRecord.Kind.Switchover, "SpecChanged");
    metrics.promoted(unit, FailoverRecord.Kind.Switchover, "Requested");
    metrics.promoted(unit, FailoverRecord.Kind.Drill, "Drill");
    FailoverRecord r = new FailoverRecord();
    r.setDetectionMillis(400L);
    r.setPromotionMillis(100L);
    r.setTrafficSwitchedMillis(900L);
    metrics.lastFailover(unit, r);
    assertThat(registry
            .get("ou_failovers_total")
            .tag("reason", "NodeNotReady")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(registry.get("ou_failovers_total").counters())
        .as("switchovers and drills are no failovers")
        .hasSize(1);
    assertThat(registry
            .get("ou_switchovers_total")
            .tag("reason", "SpecChanged")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(registry
            .get("ou_switchovers_total")
            .tag("reason", "Requested")
            .counter()
            .count())
        .isEqualTo(1.0);
    assertThat(registry.get("ou_drills_total").counter().count()).isEqualTo(1.0);
    assertThat(registry
            .get("ou_last_failover_seconds")
            .tag("part", "traffic_switched")
            .gauge()
            .value())
        .isEqualTo(0.9);
  }

  @Test
  void countsQuarantinedStimuliAndShowsHowManyAreHeld() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    metrics.quarantine(unit, java.util.List.of(), java.util.List.of("job-2"));
    metrics.quarantine(unit, java.util.List.of("job-2"), java.util.List.of("job-2"));
    assertThat(registry.get("ou_stimuli_quarantined_total").counter().count())
        .as("counted once, when it first appears")
        .isEqualTo(1.0);
    assertThat(registry.get("ou_quarantined_stimuli").gauge().value()).isEqualTo(1.0);
    metrics.quarantine(unit, java.util.List.of("job-2"), java.util.List.of("job-3", "job-4"));
    assertThat(registry.get("ou_stimuli_quarantined_total").counter().count()).isEqualTo(3.0);
    metrics.quarantine(unit, java.util.List.of("job-3", "job-4"), java.util.List.of());
    assertThat(registry.get("ou_quarantined_stimuli").gauge().value())
        .as("dropped or released")
        .isZero();
  }
}
