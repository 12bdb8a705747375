package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.failover.DependencyWatch.Reason;
import dev.availability.ou.failover.DependencyWatch.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyStatusesTest {
  static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  static OperationalUnitStatus withReady() {
    OperationalUnitStatus s = new OperationalUnitStatus();
    s.setConditions(new ArrayList<>(List.of(new ConditionBuilder()
        .withType("Ready")
        .withStatus("True")
        .withReason("PrimaryServing")
        .build())));
    return s;
  }

  @Test
  void verdictsAreWrittenAndReadBackWithTheirDates() {
    OperationalUnitStatus s = withReady();
    List<Verdict> vs = List.of(
        new Verdict("db", false, T0, Reason.NoServingPrimary, Duration.ofSeconds(5)),
        new Verdict("cache", true, T0.minusSeconds(60), Reason.Serving, Duration.ofSeconds(5)));
    DependencyStatuses.write(s, vs, 3L, T0.plusSeconds(5));

    assertThat(s.getDependencies()).hasSize(2);
    assertThat(s.getDependencies().get(0).getSince()).isEqualTo("2026-12-06T10:00:00Z");
    Condition c = s.getConditions().get(1);
    assertThat(c.getType()).isEqualTo("DependenciesAvailable");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("DependencyUnavailable");
    assertThat(c.getMessage()).contains("dependency db").doesNotContain("cache");
    assertThat(c.getObservedGeneration()).isEqualTo(3L);

    var back = DependencyStatuses.previous(s);
    assertThat(back.get("db").available()).isFalse();
    assertThat(back.get("db").since()).isEqualTo(T0);
    assertThat(back.get("db").reason()).isEqualTo(Reason.NoServingPrimary);
    assertThat(back.get("cache").available()).isTrue();
  }

  @Test
  void theConditionKeepsItsTransitionTimeAndPlace() {
    OperationalUnitStatus s = withReady();
    List<Verdict> down = List.of(new Verdict("db", false, T0, Reason.NotFound, null));
    DependencyStatuses.write(s, down, 1L, T0);
    String since = s.getConditions().get(1).getLastTransitionTime();
    DependencyStatuses.write(s, down, 1L, T0.plusSeconds(30));
    assertThat(s.getConditions()).hasSize(2);
    assertThat(s.getConditions().get(1).getLastTransitionTime()).isEqualTo(since);
  }

  @Test
  void aUnitThatDependsOnNothingShowsNeitherListNorCondition() {
    OperationalUnitStatus s = withReady();
    DependencyStatuses.write(
        s, List.of(new Verdict("db", true, T0, Reason.Serving, Duration.ofSeconds(5))), 1L, T0);
    DependencyStatuses.write(s, List.of(), 2L, T0);
    assertThat(s.getDependencies()).isEmpty();
    assertThat(s.getConditions()).extracting(Condition::getType).containsExactly("Ready");
  }

  @Test
  void entriesWrittenBySomeoneElseAreAssessedAfresh() {
    OperationalUnitStatus s = new OperationalUnitStatus();
    s.setDependencies(List.of(new dev.availability.ou.api.DependencyStatus(
        "db", false, "2026-12-06T10:00:00Z", "Bogus")));
    assertThat(DependencyStatuses.previous(s)).isEmpty();
    assertThat(DependencyStatuses.previous(null)).isEmpty();
  }
}
