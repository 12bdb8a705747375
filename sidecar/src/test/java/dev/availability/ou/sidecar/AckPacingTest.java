package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckPacingTest {
  private static final long MS = 1_000_000;

  @Test
  void synchronousAcknowledgesEveryDurableRecordAtOnce() {
    AckPacing p = new AckPacing();
    p.sent(0);
    p.received(100);
    assertThat(p.due(false, 1)).as("a write waits for this ACK").isTrue();
    p.sent(1);
    p.received(100);
    assertThat(p.due(false, 2)).isTrue();
    assertThat(p.nanosUntilDue(false, 2)).isZero();
  }

  @Test
  void asynchronousCoversWhatBecameDurableWithinTheIntervalWithOneAck() {
    AckPacing p = new AckPacing();
    p.sent(10 * MS);
    p.received(4096);
    assertThat(p.due(true, 11 * MS))
        .as("1 ms after the last ACK, 4 KiB received")
        .isFalse();
    assertThat(p.nanosUntilDue(true, 11 * MS)).isEqualTo(AckPacing.LAZY_NANOS - MS);
    assertThat(p.due(true, 10 * MS + AckPacing.LAZY_NANOS))
        .as("a quiet stream's last records are acknowledged within the interval: its lag reaches 0")
        .isTrue();
    assertThat(p.nanosUntilDue(true, 10 * MS + AckPacing.LAZY_NANOS)).isZero();
  }

  @Test
  void asynchronousAcknowledgesOnceTheBytesSinceTheLastAckReachTheBudget() {
    AckPacing p = new AckPacing();
    p.sent(0);
    p.received(AckPacing.LAZY_BYTES - 1);
    assertThat(p.due(true, 1)).isFalse();
    p.received(1);
    assertThat(p.due(true, 1))
        .as("the primary's budget of unacknowledged bytes must never be what holds")
        .isTrue();
    p.sent(1);
    assertThat(p.due(true, 2)).as("the budget counts from the last ACK").isFalse();
    assertThat(AckPacing.LAZY_BYTES).isLessThan(UnackedBytes.SEND_BUFFER_BYTES / 4);
  }

  @Test
  void theAckLoopSleepsUntilTheNextAckIsDueOrAHeartbeatWhenIdle() {
    AckPacing p = new AckPacing();
    p.sent(0);
    assertThat(p.loopWaitMillis(false, false, true, MS, 200))
        .as("nothing to do")
        .isEqualTo(200);
    assertThat(p.loopWaitMillis(true, false, false, MS, 200))
        .as("Synchronous: now")
        .isZero();
    assertThat(p.loopWaitMillis(true, false, true, MS, 200))
        .as("due 5 ms after the last")
        .isEqualTo(4);
    assertThat(p.loopWaitMillis(false, true, true, 10 * MS, 200))
        .as("a flush is due, maybe running on another thread: look again in 1 ms, never spin")
        .isEqualTo(1);
  }

  @Test
  void aModeChangeToSynchronousReleasesTheNextAckAtOnce() {
    AckPacing p = new AckPacing();
    p.sent(0);
    p.received(10);
    assertThat(p.due(true, MS)).isFalse();
    assertThat(p.due(false, MS)).isTrue();
  }
}
