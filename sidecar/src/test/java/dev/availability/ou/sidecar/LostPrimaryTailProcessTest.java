package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.Terms;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 5, with real sidecar processes in Synchronous mode: the primary comes back at the same epoch with a
 * shorter log than its standby (its last three acknowledged records lost with the tail of its log: an fsync policy
 * other than {@code always}, a disk that lied). Those records were acknowledged because the standby held them; the
 * standby must keep them. Before the fix the restarted primary's plan made the standby cut them (common prefix
 * before its new incarnation's TERM_START): three acknowledged writes gone from both members.
 */
class LostPrimaryTailProcessTest {
  @TempDir
  Path root;

  SidecarProcess primary;
  SidecarProcess standby;

  @BeforeEach
  void setUp() throws Exception {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("standby", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous");
    primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous")
        .with("OU_PEER_ENDPOINT", standby.replicationEndpoint());
  }

  @AfterEach
  void tearDown() throws Exception {
    primary.close();
    standby.close();
  }

  @Test
  void
      aPrimaryBackWithAShorterLogAtTheSameEpochStopsServingAndItsStandbyKeepsTheAcknowledgedRecords()
          throws Exception {
    standby.start();
    primary.start();
    try (OuClient c = primary.client()) {
      for (int i = 1; i <= 20; i++)
        assertThat(c.put("k" + i, ("v" + i).getBytes())).isEqualTo(i + 1); // TERM_START at 1
    }
    primary.kill();
    // The primary's log loses its last three records (k18..k20 at 19..21), whole: as if never
    // written to its disk.
    long lost = 0;
    for (int i = 18; i <= 20; i++)
      lost += LogRecord.put(i + 1, Terms.of(1, 1), ("k" + i).getBytes(), ("v" + i).getBytes())
          .encode()
          .length;
    Path segment;
    try (Stream<Path> s = Files.list(primary.dataDir.resolve("log"))) {
      segment = s.filter(f -> f.toString().endsWith(".log"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() - lost);
    }

    primary.start(); // Primary at epoch 1 again: incarnation 2, its TERM_START at 19
    await("the restarted primary's session with its standby decided")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> primary.counter("servingRefusedStandbyAhead") > 0
            || standby.counter("tailRecordsCut") > 0);
    assertThat(standby.counter("tailRecordsCut"))
        .as("acknowledged records the standby cut")
        .isZero();
    assertThat(standby.all()).containsKeys("k18", "k19", "k20");
    assertThat(primary.status().fields().get("serving"))
        .as("the restarted primary serves")
        .isEqualTo("false");
    assertThat(primary.http("/readyz")).startsWith("503");

    // What the operator then does (the primary is unready, its standby in sync): promote the
    // standby, and the old primary rejoins as its standby, cutting only its own new incarnation's
    // TERM_START.
    assertThat(standby.status().inSync()).as("the standby is promotable").isTrue();
    standby.assign(MemberRole.PRIMARY, 2, primary);
    primary.assign(MemberRole.STANDBY, 2, null);
    try (OuClient c = standby.client()) {
      assertThat(c.get("k20")).isPresent();
      c.put("k21", "v21".getBytes());
    }
    await("the old primary caught up from the new one")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> primary.all().containsKey("k21"));
    assertThat(primary.all()).containsKeys("k18", "k19", "k20");
  }
}
