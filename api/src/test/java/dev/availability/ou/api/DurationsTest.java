package dev.availability.ou.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoStyleDurations() {
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void refusesWhatIsNotADuration() {
    assertThatThrownBy(() -> Durations.parse("10")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("-1s")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("1s x")).hasMessageContaining("not a duration");
  }

  @Test
  void recoveryBudgetDefaultsToHalfOfTheResponseTimeBudget() {
    FailoverSpec spec = new FailoverSpec();
    spec.setResponseTimeBudget("6s");
    assertThat(spec.effectiveRecoveryBudget()).isEqualTo(Duration.ofSeconds(3));
    spec.setRecoveryBudget("2s");
    assertThat(spec.effectiveRecoveryBudget()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void formatsForHumans() {
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofSeconds(3))).isEqualTo("3s");
    assertThat(Durations.format(Duration.ofSeconds(125))).isEqualTo("2m5s");
  }
}
