package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.FencedException;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.NotPrimaryException;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.Stimulus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Primary and standby sidecars as separate processes on loopback: streaming, catch-up, snapshots, epochs. */
class ReplicationProcessTest {
  @TempDir
  Path root;

  String net;
  Path key;
  SidecarProcess a;
  SidecarProcess b;

  @BeforeEach
  void setUp() throws Exception {
    net = SidecarProcess.freshNet();
    key = SidecarProcess.newKey(root);
    a = new SidecarProcess("a", net + "1", root, key);
    b = new SidecarProcess("b", net + "2", root, key);
  }

  @AfterEach
  void tearDown() throws Exception {
    a.close();
    b.close();
  }

  void startPair(long epoch) throws Exception {
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "" + epoch).start();
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "" + epoch)
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
  }

  static void putMany(OuClient c, String prefix, int from, int to) {
    for (int i = from; i <= to; i++) c.put(prefix + i, ("v" + i).getBytes());
  }

  static void assertSameState(SidecarProcess x, SidecarProcess y) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Map<String, byte[]> mx = x.all();
      Map<String, byte[]> my = y.all();
      assertThat(my.keySet()).isEqualTo(mx.keySet());
      for (String k : mx.keySet()) assertThat(my.get(k)).as(k).isEqualTo(mx.get(k));
    });
  }

  @Test
  void synchronousWritesAreOnTheStandbyWhenAcknowledged() throws Exception {
    startPair(1);
    try (OuClient c = a.client()) {
      putMany(c, "k", 1, 200);
      c.delete("k7");
      c.begin("req-1");
      // Synchronous: once acknowledged, the standby holds it.
      assertThat(b.status().durableSeq()).isGreaterThanOrEqualTo(c.status().lastSeq() - 0);
    }
    try (OuClient sb = b.client()) {
      assertThat(sb.get("k200"))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo("v200".getBytes()));
      assertThat(sb.get("k7")).isEmpty();
      assertThatThrownBy(() -> sb.put("x", new byte[1])).isInstanceOf(NotPrimaryException.class);
    }
    assertSameState(a, b);
    assertThat(a.http("/readyz")).startsWith("200");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(b.http("/readyz")).startsWith("200"));
    assertThat(a.http("/healthz")).startsWith("200");
    // The report carries the state's size against the heap (the operator's SidecarMemoryPressure
    // condition).
    assertThat(a.http("/status")).contains("heapTooSmall=false", "stateBytes=", "heapMaxBytes=");
  }

  @Test
  void standbyRestartedWithItsVolumeCatchesUpFromItsLastSequenceWithoutASnapshot()
      throws Exception {
    startPair(1);
    try (OuClient c = a.client()) {
      putMany(c, "k", 1, 100);
      long standbyHad =
          b.status().durableSeq(); // Synchronous: it holds all 100 (and the primary's TERM_START)
      assertThat(standbyHad).isEqualTo(c.status().lastSeq());
      b.stop();
      c.assign(
          MemberRole.PRIMARY,
          1,
          b.replicationEndpoint(),
          "Asynchronous"); // keep serving while the standby is away
      putMany(c, "k", 101, 300);
      b.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> b.status().durableSeq() >= a.status().lastSeq());
      assertThat(a.counter("lastCatchUpFromSeq"))
          .isEqualTo(standbyHad + 1); // from its last sequence, not from 1
      assertThat(b.counter("sessionsStarted.STREAM")).isEqualTo(1);
    }
    assertThat(a.counter("snapshotsSent")).isZero();
    assertThat(b.counter("snapshotsInstalled")).isZero();
    assertThat(a.counter("catchUpsFromLog")).isEqualTo(2);
    assertSameState(a, b);
  }

  @Test
  void oldPrimaryRejoinsAsStandbyAndDiscardsItsUnacknowledgedTail() throws Exception {
    startPair(1);
    try (OuClient c = a.client()) {
      putMany(c, "k", 1, 50);
      // The standby goes away; the primary keeps writing asynchronously: these are not on the
      // standby.
      b.kill();
      c.assign(MemberRole.PRIMARY, 1, b.replicationEndpoint(), "Asynchronous");
      putMany(c, "tail", 1, 20);
    }
    a.kill();
    // Promote b at epoch 2 (it holds 1..50), old primary a rejoins as standby with its volume.
    b.env.put("OU_ROLE", "Primary");
    b.env.put("OU_EPOCH", "2");
    b.env.put("OU_PEER_ENDPOINT", a.replicationEndpoint());
    b.start();
    try (OuClient c = b.client()) {
      c.assign(MemberRole.PRIMARY, 2, a.replicationEndpoint(), "Synchronous");
    }
    a.env.put("OU_ROLE", "Standby");
    a.env.put("OU_EPOCH", "2");
    a.env.remove("OU_PEER_ENDPOINT");
    a.start();
    try (OuClient c = b.client()) {
      putMany(c, "after", 1, 10);
    }
    assertSameState(b, a);
    assertThat(a.all()).doesNotContainKey("tail1").containsKey("after10").containsKey("k50");
    assertThat(a.counter("tailRecordsCut")).isGreaterThanOrEqualTo(20);
    assertThat(b.counter("snapshotsSent")).isZero();
  }

  @Test
  void newEmptyStandbyGetsASnapshotThenTheStream() throws Exception {
    a.with("OU_SEGMENT_BYTES", "16Ki")
        .with("OU_LOG_RETENTION", "16Ki")
        .with("OU_MODE", "Asynchronous");
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    try (OuClient c = a.client()) {
      for (int i = 1; i <= 3000; i++)
        c.put("k" + (i % 500), ("value-" + i + "-" + "x".repeat(40)).getBytes());
      await().atMost(Duration.ofSeconds(30)).until(() -> a.status().number("firstLogSeq") > 1);
      b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
      await().atMost(Duration.ofSeconds(30)).until(() -> a.counter("snapshotsSent") >= 1);
      putMany(c, "after", 1, 50);
    }
    assertSameState(a, b);
    assertThat(b.counter("snapshotsInstalled")).isEqualTo(1);
  }

  @Test
  void aSnapshotTakenAndSentWhileWritesGoOnGivesTheStandbyTheSameState() throws Exception {
    a.with("OU_SEGMENT_BYTES", "16Ki")
        .with("OU_LOG_RETENTION", "16Ki")
        .with("OU_MODE", "Asynchronous");
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.CompletableFuture<Void> writes =
        java.util.concurrent.CompletableFuture.runAsync(() -> {
          try (OuClient c = a.client()) {
            for (int i = 0; !stop.get(); i++) {
              if (i % 11 == 0) c.delete("k" + (i * 7) % 500);
              else c.put("k" + i % 500, ("value-" + i + "-" + "x".repeat(i % 60)).getBytes());
              written.incrementAndGet();
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.status().number("firstLogSeq") > 1); // retention snapshots under way
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    await().atMost(Duration.ofSeconds(30)).until(() -> b.counter("snapshotsInstalled") >= 1);
    long after = written.get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> written.get() > after + 500 && a.counter("snapshotsTaken") >= 3);
    stop.set(true);
    writes.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertSameState(a, b);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(b.http("/readyz")).startsWith("200"));
    assertThat(b.status().number("durableSeq"))
        .isGreaterThanOrEqualTo(b.status().number("exactFromSeq"));
  }

  @Test
  void journalModeTellsThePromotedStandbyWhichStimuliWereInFlight() throws Exception {
    b.with("OU_MODE", "Journal");
    a.with("OU_MODE", "Journal");
    startPair(1);
    List<RoleChange> roles = new CopyOnWriteArrayList<>();
    try (OuClient sb = b.client()) {
      sb.onRoleChange(roles::add);
      try (OuClient c = a.client()) {
        c.begin("order-1");
        c.put("orders/1", "paid".getBytes());
        c.end("order-1");
        c.begin("order-2"); // the primary dies while order-2 is in flight
        c.put("orders/2", "half".getBytes());
      }
      a.kill();
      sb.assign(MemberRole.PRIMARY, 2, a.replicationEndpoint(), null);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> roles.stream().anyMatch(r -> r.role() == MemberRole.PRIMARY && r.epoch() == 2));
      List<Stimulus> inFlight = sb.inFlight();
      assertThat(inFlight).extracting(Stimulus::id).containsExactly("order-2");
      assertThat(inFlight.get(0).beforePromotion()).isTrue();
      // Markers are synchronous in Journal mode: the old primary rejoins as standby first.
      a.env.put("OU_ROLE", "Standby");
      a.env.put("OU_EPOCH", "2");
      a.env.remove("OU_PEER_ENDPOINT");
      a.start();
      sb.end("order-2"); // reprocessed (or rejected) by the application
      assertThat(sb.inFlight()).isEmpty();
      assertThat(roles.get(0).role()).isEqualTo(MemberRole.STANDBY);
    }
  }

  @Test
  void aQuarantinedStimulusIsMarkedForThePromotedApplicationUntilReleasedAndReportedUntilEnded()
      throws Exception {
    b.with("OU_MODE", "Journal");
    a.with("OU_MODE", "Journal");
    startPair(1);
    try (OuClient sb = b.client()) {
      try (OuClient c = a.client()) {
        c.begin("order-9"); // the primary's application dies on it
        c.begin("order-10"); // in flight too, but harmless
      }
      a.kill();
      sb.assign(MemberRole.PRIMARY, 2, a.replicationEndpoint(), null, List.of("order-9"));
      await().atMost(Duration.ofSeconds(10)).until(() -> sb.status().role() == MemberRole.PRIMARY);
      // both began before the promotion; only the quarantined one is marked
      assertThat(sb.inFlight())
          .extracting(Stimulus::id, Stimulus::beforePromotion, Stimulus::quarantined)
          .containsExactly(tuple("order-9", true, true), tuple("order-10", true, false));
      assertThat(sb.quarantined()).extracting(Stimulus::id).containsExactly("order-9");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(b.http("/status")).contains("reprocessing=[order-9, order-10]"));
      // The application takes up order-10: the report says so before the call returns.
      sb.reprocessing("order-10");
      assertThat(b.http("/status")).contains("reprocessingNow=[order-10]");
      // Markers are synchronous in Journal mode: the old primary rejoins as standby first.
      a.env.put("OU_ROLE", "Standby");
      a.env.put("OU_EPOCH", "2");
      a.env.remove("OU_PEER_ENDPOINT");
      a.start();
      // A human releases order-9: the next assignment lists it no more, and the application hears
      // of it.
      List<RoleChange> events = new CopyOnWriteArrayList<>();
      sb.onRoleChange(events::add);
      sb.assign(MemberRole.PRIMARY, 2, a.replicationEndpoint(), null, List.of());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> events.stream().anyMatch(e -> "assignment refreshed".equals(e.reason())));
      assertThat(sb.quarantined()).isEmpty();
      assertThat(sb.inFlight()).extracting(Stimulus::quarantined).containsOnly(false);
      sb.end("order-10"); // reprocessed
      sb.settle("order-9"); // ends it as end() does
      assertThat(sb.inFlight()).isEmpty();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(b.http("/status")).contains("reprocessing=[]"));
    }
  }

  @Test
  void primaryWithAStaleEpochIsRefusedAndNeverAcknowledged() throws Exception {
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "5").start();
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "4")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    try (OuClient c = a.client()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> b.counter("sessionsClosed.STALE_EPOCH") >= 1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !c.status().fields().get("serving").equals("true"));
      assertThatThrownBy(() -> c.put("k", new byte[1])).isInstanceOf(FencedException.class);
    }
    assertThat(b.all()).isEmpty();
    assertThat(b.status().lastSeq()).isZero();
  }
}
