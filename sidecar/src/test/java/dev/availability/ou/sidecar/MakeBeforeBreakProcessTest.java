package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Make-before-break with real sidecar processes and a client writing throughout: a Synchronous primary whose
 * dataDurability is Required keeps acknowledging through its in-sync standby (b) while a new one (c, its next peer)
 * catches up with a snapshot and the stream; made its peer, c takes over and b is dropped (killed here) without a
 * failed write, and c holds every acknowledged write.
 */
class MakeBeforeBreakProcessTest {
  @TempDir
  Path root;

  @RegisterExtension
  final KeptSidecarLogs logs = new KeptSidecarLogs();

  SidecarProcess a;
  SidecarProcess b;
  SidecarProcess c;
  final AtomicBoolean stop = new AtomicBoolean();
  final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
  final List<Exception> failures = new CopyOnWriteArrayList<>();
  Thread writer;

  @BeforeEach
  void setUp() throws Exception {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    a = new SidecarProcess("a", net + "1", root, key);
    b = new SidecarProcess("b", net + "2", root, key);
    c = new SidecarProcess("c", net + "3", root, key);
    logs.watch(a, b, c);
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    // A short log: the new standby is brought up with a snapshot first, as a new shared pod is.
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous")
        .with("OU_SEGMENT_BYTES", "16Ki")
        .with("OU_LOG_RETENTION", "16Ki")
        // Writes wait for a standby no longer than this: a gap in protection longer than it fails
        // them.
        .with("OU_SYNC_TIMEOUT", "2s")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    try (OuClient client = a.client()) {
      for (int i = 1; i <= 3000; i++)
        client.put("pre" + (i % 500), ("value-" + i + "-" + "x".repeat(40)).getBytes());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> a.status().number("firstLogSeq") > 1);
  }

  @AfterEach
  void tearDown() throws Exception {
    stop.set(true);
    if (writer != null) writer.join(10_000);
    a.close();
    b.close();
    c.close();
  }

  void startWriting() {
    writer = new Thread(() -> {
      try (OuClient client = a.client()) {
        for (int i = 1; !stop.get(); i++) {
          String k = "w" + i;
          try {
            acknowledged.put(k, client.put(k, ("v" + i).getBytes()));
          } catch (Exception e) {
            failures.add(e);
          }
          if (i % 4 == 0) Thread.sleep(1);
        }
      } catch (Exception e) {
        failures.add(e);
      }
    });
    writer.start();
  }

  void awaitMoreWrites(int n) {
    int from = acknowledged.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= from + n);
  }

  /** Then the primary dies while the client writes: c, which would be promoted, holds all that was acknowledged. */
  void assertNoWriteFailedAndCHoldsAllAcknowledged() throws Exception {
    assertThat(a.counter("writesTimedOut")).isZero();
    List<Exception> beforeTheKill = List.copyOf(failures);
    a.kill();
    stop.set(true);
    writer.join(30_000);
    assertThat(beforeTheKill).as("writes failed before the primary was killed").isEmpty();
    assertThat(acknowledged).hasSizeGreaterThan(400);
    Map<String, byte[]> onC = c.all();
    assertThat(onC.keySet())
        .as("the new standby holds every acknowledged write")
        .containsAll(acknowledged.keySet());
  }

  @Test
  void thePrimaryAcknowledgesThroughItsInSyncStandbyWhileTheNextCatchesUpThenDropsIt()
      throws Exception {
    startWriting();
    c.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    try (OuClient client = a.client()) {
      client.assignWithNextPeer(
          MemberRole.PRIMARY, 1, b.replicationEndpoint(), c.replicationEndpoint(), "Synchronous");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "true".equals(a.status().fields().get("nextPeerCaughtUp")));
      // (a second when c's first session broke mid-way on the loaded machine: it starts over)
      assertThat(a.counter("snapshotsSent")).as("c caught up with a snapshot").isPositive();
      await().atMost(Duration.ofSeconds(30)).until(() -> c.status().inSync());
      awaitMoreWrites(100);

      client.assign(MemberRole.PRIMARY, 1, c.replicationEndpoint(), "Synchronous");
      assertThat(a.status().fields()).containsEntry("peer", c.replicationEndpoint());
      assertThat(a.counter("nextPeerHandovers")).isEqualTo(1);
      awaitMoreWrites(100);
      // Dropped, b no longer holds every acknowledged write: it says so (it would stay in sync
      // after
      // a stream that just ended, as when its primary dies).
      await().atMost(Duration.ofSeconds(10)).until(() -> !b.status().inSync());
      assertThat(b.counter("sessionsClosed.DROPPED")).isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.counter("droppedStandbysTold") == 1);
      b.kill(); // the old standby is gone: nothing waits for it
      awaitMoreWrites(200);
    }
    assertThat(c.status().inSync()).isTrue();
    assertNoWriteFailedAndCHoldsAllAcknowledged();
  }

  /**
   * The handover while the old peer's session is broken (b stalled past the read timeout, as under CI's load: the
   * primary gave up on its stream, and its re-dial's handshake times out too): b's stream ended while it was in sync,
   * so it would go on calling itself in sync without the writes acknowledged through c alone. Once b answers again,
   * the retired link tells it it was dropped (before, the retired link just stopped).
   */
  @Test
  void aDroppedStandbyWhoseSessionBrokeBeforeTheHandoverIsToldOnceItAnswersAgain()
      throws Exception {
    c.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    try (OuClient client = a.client()) {
      client.assignWithNextPeer(
          MemberRole.PRIMARY, 1, b.replicationEndpoint(), c.replicationEndpoint(), "Synchronous");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "true".equals(a.status().fields().get("nextPeerCaughtUp")));
      await().atMost(Duration.ofSeconds(30)).until(() -> c.status().inSync());
      for (int i = 0; i < 50; i++) client.put("through-both-" + i, "v".getBytes());
      assertThat(b.status().inSync()).isTrue();

      b.pause();
      Thread.sleep(3000); // past the primary's 2 s read timeout: its session to b is broken
      client.assign(MemberRole.PRIMARY, 1, c.replicationEndpoint(), "Synchronous");
      assertThat(a.status().fields()).containsEntry("peer", c.replicationEndpoint());
      for (int i = 0; i < 50; i++) client.put("through-c-alone-" + i, "v".getBytes());
      // b still stopped past another read timeout: the link's re-dial in flight at the handover
      // (connected, its HELLO unanswered) fails too, so no session of the old peer ends with a
      // DROPPED it could hear
      Thread.sleep(3000);
      b.resume();

      await()
          .atMost(Duration.ofSeconds(10))
          .alias("b, dropped, must not call itself in sync: it lacks what c alone acknowledged")
          .until(() -> !b.status().inSync());
      assertThat(b.counter("sessionsClosed.DROPPED")).isPositive();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.counter("droppedStandbysTold") == 1);
      assertThat(b.all()).doesNotContainKey("through-c-alone-0");
    }
  }

  @Test
  void madeThePeerBeforeItCaughtUpTheNextPeerWaitsAndTheOldPeerKeepsAcknowledging()
      throws Exception {
    startWriting();
    try (OuClient client = a.client()) {
      client.assignWithNextPeer(
          MemberRole.PRIMARY, 1, b.replicationEndpoint(), c.replicationEndpoint(), "Synchronous");
      // The operator moves on before c even started (a stale or wrong report): held back.
      client.assign(MemberRole.PRIMARY, 1, c.replicationEndpoint(), "Synchronous");
      assertThat(a.status().fields())
          .containsEntry("peer", b.replicationEndpoint())
          .containsEntry("nextPeer", c.replicationEndpoint());
      Thread.sleep(3000); // longer than OU_SYNC_TIMEOUT: writes go on through b
      awaitMoreWrites(100);

      c.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> c.replicationEndpoint().equals(a.status().fields().get("peer")));
      assertThat(a.status().fields()).containsEntry("nextPeer", "");
      assertThat(c.status().inSync()).isTrue();
      awaitMoreWrites(100);
      b.kill();
      awaitMoreWrites(200);
    }
    assertNoWriteFailedAndCHoldsAllAcknowledged();
  }
}
