package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.operator.EventFolding.Step;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventFoldingTest {
  private final Instant t0 = Instant.parse("2026-12-07T01:00:00Z");

  @Test
  void aRepeatSoonAfterTheLastWriteIsHeldThenWrittenOnce() {
    assertThat(EventFolding.of(null, t0)).isEqualTo(Step.CREATE);
    assertThat(EventFolding.of(t0, t0.plusMillis(300))).isEqualTo(Step.HOLD);
    assertThat(EventFolding.flushIn(t0, t0.plusMillis(300))).isEqualTo(Duration.ofMillis(4700));
    assertThat(EventFolding.of(t0, t0.plus(EventFolding.HOLD))).isEqualTo(Step.UPDATE_NOW);
    assertThat(EventFolding.flushIn(t0, t0.plusSeconds(9))).isEqualTo(Duration.ZERO);
  }

  @Test
  void aRepeatAfterTheFoldWindowIsANewEvent() {
    assertThat(EventFolding.of(t0, t0.plus(EventFolding.FOLD_WINDOW).minusMillis(1)))
        .isEqualTo(Step.UPDATE_NOW);
    assertThat(EventFolding.of(t0, t0.plus(EventFolding.FOLD_WINDOW))).isEqualTo(Step.CREATE);
  }
}
