package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnackedBytesTest {
  @Test
  void theLogWriterMaySendUntilTheStandbyLagsByTheLimit() {
    UnackedBytes u = new UnackedBytes(1000);
    assertThat(u.allows(0, 1000)).isTrue();
    assertThat(u.allows(0, 1001)).as("one frame larger than the limit").isFalse();
    u.sent(10, 400); // records 1..10
    u.sent(20, 400); // 11..20
    assertThat(u.allows(0, 200)).isTrue();
    assertThat(u.allows(0, 201)).as("800 unacknowledged, 201 more").isFalse();
    assertThat(u.allows(9, 201)).as("an ACK inside a frame frees nothing of it").isFalse();
    assertThat(u.allows(10, 201)).as("the first frame acknowledged").isTrue();
    assertThat(u.unacked()).isEqualTo(400);
    assertThat(u.allows(25, 1000)).as("all acknowledged").isTrue();
    assertThat(u.unacked()).isZero();
  }

  @Test
  void aStandbyThatAcknowledgesNothingStopsTheLogWriterSending() {
    UnackedBytes u = new UnackedBytes(64 * 1024);
    long seq = 0;
    int frames = 0;
    while (u.allows(-1, 4136)) {
      u.sent(++seq, 4136);
      frames++;
    }
    assertThat(frames).isEqualTo(15);
    assertThat(u.unacked()).isLessThanOrEqualTo(64 * 1024);
  }
}
