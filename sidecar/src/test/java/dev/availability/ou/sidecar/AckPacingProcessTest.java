package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real primary and standby: in Asynchronous mode the standby paces its flushes and ACKs ({@link AckPacing}) and the
 * primary's lag still reaches 0 once the writes stop; switched to Synchronous, every write is on the standby when acknowledged.
 */
class AckPacingProcessTest {
  static final int WRITES = 300;

  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair;

  SidecarProcess primary;
  SidecarProcess standby;

  @Test
  void anAsynchronousStandbyPacesItsAcksAndThePrimarysLagStillReachesZero() throws Exception {
    start("Asynchronous");
    long acksBefore = standby.counter("acksSent");
    long fsyncsBefore = standby.counter("fsyncs");
    long started = System.nanoTime();
    long last = 0;
    try (OuClient c = primary.client()) {
      for (int i = 0; i < WRITES; i++) last = c.put(key(i), new byte[128]);
    }
    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    long acknowledged = last;
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> primary.status().number("standbyAckedSeq") >= acknowledged);
    long acks = standby.counter("acksSent") - acksBefore;
    long fsyncs = standby.counter("fsyncs") - fsyncsBefore;
    // One ACK per interval, or per LAZY_BYTES received, plus the last one after the writes stopped;
    // one per write
    // (each a commit of its own on the standby) without pacing.
    long bound =
        elapsedMillis * 1_000_000 / AckPacing.LAZY_NANOS + WRITES * 200L / AckPacing.LAZY_BYTES + 2;
    assertThat(acks)
        .as("ACKs for %d sequential Asynchronous writes in %d ms", WRITES, elapsedMillis)
        .isLessThanOrEqualTo(bound)
        .isLessThan(WRITES);
    assertThat(fsyncs)
        .as(
            "the standby's flushes for %d sequential Asynchronous writes in %d ms",
            WRITES, elapsedMillis)
        .isLessThanOrEqualTo(bound);
    assertThat(primary.status().lastSeq() - primary.status().number("standbyAckedSeq"))
        .as("the lag once the last ACK came")
        .isZero();
  }

  @Test
  void switchedToSynchronousEveryWriteIsOnTheStandbyWhenAcknowledged() throws Exception {
    start("Asynchronous");
    try (OuClient s = standby.client();
        OuClient c = primary.client()) {
      s.assign(MemberRole.STANDBY, 1, null, "Synchronous");
      c.assign(MemberRole.PRIMARY, 1, standby.replicationEndpoint(), "Synchronous");
      for (int i = 0; i < 100; i++) {
        long seq = c.put(key(i), new byte[128]);
        assertThat(standby.status().durableSeq())
            .as("write %d (sequence %d) on the standby when acknowledged", i, seq)
            .isGreaterThanOrEqualTo(seq);
      }
    }
  }

  private void start(String mode) throws Exception {
    pair = SidecarPair.in(root).withBoth("OU_MODE", mode).startInSync();
    primary = pair.primary;
    standby = pair.standby;
  }

  private static byte[] key(int i) {
    return ("paced/" + i).getBytes(StandardCharsets.UTF_8);
  }
}
