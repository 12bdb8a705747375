package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InSyncSinceTest {
  @Test
  void theFirstInSyncReportsTimeStaysUntilTheStandbyIsOutOfSyncOrAtAnotherEpoch() {
    InSyncSince s = new InSyncSince();
    assertThat(s.at(false, 1, 100)).isNull();
    assertThat(s.at(true, 1, 200)).isEqualTo(200);
    assertThat(s.at(true, 1, 300)).as("still in sync").isEqualTo(200);
    assertThat(s.at(true, 2, 400)).as("in sync at a new epoch: from then").isEqualTo(400);
    assertThat(s.at(false, 2, 500)).isNull();
    assertThat(s.at(true, 2, 600)).as("in sync again").isEqualTo(600);
  }
}
