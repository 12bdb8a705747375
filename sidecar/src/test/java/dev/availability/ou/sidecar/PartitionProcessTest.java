package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.OuException;
import dev.availability.ou.client.StandbyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, silent network partition between a primary and a standby sidecar, each running in its own
 * Linux network namespace (see {@link NetNamespaces}): packets between them are dropped, nothing is
 * reset, so what ends the replication session is the heartbeat and the sockets' read timeouts, and what
 * stops a Synchronous primary is {@code OU_SYNC_TIMEOUT}. After the heal the standby catches up from its
 * log position, without a snapshot. Needs root and iproute2 ({@code ip netns}); skips otherwise.
 */
class PartitionProcessTest {
  static final long HEARTBEAT_MS = 100;
  static final long PEER_LOST_MS = 1000;
  static final long SYNC_TIMEOUT_MS = 1000;
  /** The replication sockets' read timeout: twice OU_PEER_LOST_AFTER, at least 1 s (PrimaryLink, StandbyLink). */
  static final long SOCKET_TIMEOUT_MS = Math.max(1000, 2 * PEER_LOST_MS);

  static final int PROBE_PORT = 7490;

  @TempDir
  Path root;

  NetNamespaces net;
  SidecarProcess a; // primary, in namespace a
  SidecarProcess b; // standby, in namespace b
  Writer writer;
  Probe probe;

  @BeforeAll
  static void needsNetworkNamespaces() {
    String reason = NetNamespaces.unavailableReason();
    assumeTrue(reason == null, () -> "skipped: " + reason);
  }

  @BeforeEach
  void setUp() throws Exception {
    try {
      net = NetNamespaces.create();
    } catch (IOException | RuntimeException | Error e) {
      assumeTrue(false, "skipped: cannot set up network namespaces (ip netns / setns): " + e);
    }
    Path key = SidecarProcess.newKey(root);
    String lo =
        SidecarProcess
            .freshNet(); // loopback inside each namespace (the local API refuses anything else)
    a = new SidecarProcess("a", net.addrA, root, key)
        .inNetwork(NetNamespaces.exec(net.nsA), lo + "1", NetNamespaces.where(net.nsA));
    b = new SidecarProcess("b", net.addrB, root, key)
        .inNetwork(NetNamespaces.exec(net.nsB), lo + "2", NetNamespaces.where(net.nsB));
    for (SidecarProcess m : List.of(a, b)) {
      m.with("OU_HEARTBEAT_INTERVAL", HEARTBEAT_MS + "ms")
          .with("OU_PEER_LOST_AFTER", PEER_LOST_MS + "ms")
          .with("OU_SYNC_TIMEOUT", SYNC_TIMEOUT_MS + "ms");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (writer != null) writer.close();
    } finally {
      try {
        if (a != null) a.close();
        if (b != null) b.close();
        if (probe != null)
          probe.close(); // a socket opened in a namespace keeps that namespace alive
      } finally {
        if (net != null) {
          net.close();
          assertThat(net.remaining()).as("namespaces and links left behind").isEmpty();
        }
      }
    }
  }

  void startPair(String mode) throws Exception {
    b.with("OU_MODE", mode).with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    a.with("OU_MODE", mode)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.counter("catchUpsFromLog") == 1 && b.status().inSync());
  }

  @Test
  void synchronousPrimaryStopsAcknowledgingLosesNothingAndTheStandbyCatchesUpFromItsLog()
      throws Exception {
    startPair("Synchronous");
    writer = new Writer(a);
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.acked.size() >= 100);
    probe = Probe.open(net);

    long partitionedAt = System.nanoTime();
    Instant partitionedAtWall = Instant.now();
    net.partition();
    assertThat(net.linkState(net.nsA)).contains("NO-CARRIER");
    assertThat(net.linkState(net.nsB)).contains("NO-CARRIER");

    // The standby stops hearing its primary: peerLost once OU_PEER_LOST_AFTER has passed (not
    // before).
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> "true".equals(b.status().fields().get("peerLost")));
    long peerLostAfterMs = (System.nanoTime() - partitionedAt) / 1_000_000;
    assertThat(peerLostAfterMs).isGreaterThanOrEqualTo(PEER_LOST_MS - 2 * HEARTBEAT_MS);
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> "true".equals(a.status().fields().get("peerLost")));
    assertThat(b.status().inSync())
        .as(
            "Synchronous: a standby that held everything when its primary fell silent stays promotable")
        .isTrue();

    // The primary stops acknowledging: writes fail with UNAVAILABLE after OU_SYNC_TIMEOUT, none
    // succeed.
    int ackedAtPeerLost = writer.acked.size();
    int failedAtPeerLost = writer.unavailable.get();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> writer.unavailable.get() >= failedAtPeerLost + 2);
    assertThat(writer.shortestUnavailableMillis.get())
        .as("a write refused for want of a standby waited OU_SYNC_TIMEOUT")
        .isGreaterThanOrEqualTo(SYNC_TIMEOUT_MS - 50);
    assertThat(a.counter("writesTimedOut")).isGreaterThanOrEqualTo(2);

    // Silent, not reset: both sidecars' replication sockets timed out, and a probe connection sees
    // nothing.
    awaitReadTimeouts(partitionedAtWall);
    probe.assertSilent();
    assertNoResets();
    long standbyHolds = b.status().durableSeq();
    assertThat(b.status().lastSeq()).isEqualTo(standbyHolds);
    assertThat(writer.acked.size())
        .as("nothing acknowledged while the standby is unreachable")
        .isEqualTo(ackedAtPeerLost);
    assertThat(writer.otherErrors).isEmpty();
    long partitionMs = (System.nanoTime() - partitionedAt) / 1_000_000;

    int ackedAtHeal = healAndCatchUpFromLog(standbyHolds);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> b.status().durableSeq() >= a.status().lastSeq() && b.status().inSync());
    assertCaughtUpWithoutSnapshot();
    assertThat(writer.otherErrors).isEmpty();
    System.out.printf(
        "PartitionProcessTest Synchronous: partition %d ms, peerLost after %d ms, %d acknowledged (%d after the heal),"
            + " %d UNAVAILABLE (shortest wait %d ms), standby held %d, catch-up from %d%n",
        partitionMs,
        peerLostAfterMs,
        writer.acked.size(),
        writer.acked.size() - ackedAtHeal,
        writer.unavailable.get(),
        writer.shortestUnavailableMillis.get(),
        standbyHolds,
        a.counter("lastCatchUpFromSeq"));
  }

  @Test
  void asynchronousPrimaryKeepsAcknowledgingItsLagGrowsThenReturnsToZero() throws Exception {
    startPair("Asynchronous");
    writer = new Writer(a);
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.acked.size() >= 100);
    probe = Probe.open(net);

    int ackedAtPartition = writer.acked.size();
    long partitionedAt = System.nanoTime();
    Instant partitionedAtWall = Instant.now();
    net.partition();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> "true".equals(b.status().fields().get("peerLost")));
    long peerLostAfterMs = (System.nanoTime() - partitionedAt) / 1_000_000;
    assertThat(peerLostAfterMs).isGreaterThanOrEqualTo(PEER_LOST_MS - 2 * HEARTBEAT_MS);
    assertThat(b.status().inSync())
        .as("Asynchronous: a standby cut off from its primary is not in sync")
        .isFalse();
    long lagAtPeerLost = a.status().number("lag");
    int ackedAtPeerLost = writer.acked.size();

    awaitReadTimeouts(partitionedAtWall); // the primary's session ended
    probe.assertSilent();
    assertNoResets();
    long standbyHolds = b.status().durableSeq();
    int ackedAfterTimeout = writer.acked.size();
    long lagAfterTimeout = a.status().number("lag");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> writer.acked.size() >= ackedAfterTimeout + 100);
    long lagLater = a.status().number("lag");
    assertThat(writer.acked.size())
        .as("writes keep being acknowledged during the partition")
        .isGreaterThan(ackedAtPeerLost + 100);
    // Nothing reaches the standby: its acknowledged position is frozen, so the lag grows with every
    // write.
    assertThat(lagAtPeerLost).isPositive();
    assertThat(lagAfterTimeout).isGreaterThanOrEqualTo(lagAtPeerLost);
    assertThat(lagLater).isGreaterThanOrEqualTo(lagAtPeerLost + 100);
    assertThat(writer.unavailable.get()).isZero();
    assertThat(writer.otherErrors).isEmpty();
    assertThat(b.status().durableSeq()).isEqualTo(standbyHolds);
    long longestGapDuringPartitionMs = writer.longestGapSinceMillis(partitionedAt);
    long partitionMs = (System.nanoTime() - partitionedAt) / 1_000_000;

    int ackedAtHeal = healAndCatchUpFromLog(standbyHolds);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.status().number("lag") == 0
            && b.status().number("lag") == 0
            && b.status().inSync());
    assertThat(b.status().durableSeq()).isEqualTo(a.status().lastSeq());
    assertCaughtUpWithoutSnapshot();
    System.out.printf(
        "PartitionProcessTest Asynchronous: partition %d ms, peerLost after %d ms, lag %d -> %d -> %d, %d acknowledged"
            + " (%d during the partition, longest pause between acknowledgements %d ms), standby held %d%n",
        partitionMs,
        peerLostAfterMs,
        lagAtPeerLost,
        lagAfterTimeout,
        lagLater,
        writer.acked.size(),
        ackedAtHeal - ackedAtPartition,
        longestGapDuringPartitionMs,
        standbyHolds);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /**
   * Both ends of the replication connection gave up on their read timeout, not on a reset: the primary
   * logs the timeout; the standby logs only that its session ended (not why), so its end is checked by
   * time: a reset would end it at once, a timeout not before the socket timeout after the last frame.
   */
  /**
   * Heals the partition: the probe's connection survived, the primary streams to the standby from the
   * standby's log position, and writes go on; returns how many were acknowledged at the heal.
   */
  int healAndCatchUpFromLog(long standbyHolds) throws Exception {
    net.heal();
    probe.assertSurvived();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.counter("catchUpsFromLog") == 2);
    assertThat(a.counter("lastCatchUpFromSeq"))
        .as("catch-up from the standby's log position")
        .isEqualTo(standbyHolds + 1);
    int ackedAtHeal = writer.acked.size();
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.acked.size() >= ackedAtHeal + 100);
    writer.close();
    return ackedAtHeal;
  }

  /** Both members hold the same state, every acknowledged write included, and no snapshot was needed. */
  void assertCaughtUpWithoutSnapshot() {
    assertAcknowledgedOnStandby();
    assertSameState(a, b);
    assertThat(a.counter("snapshotsSent")).isZero();
    assertThat(b.counter("snapshotsInstalled")).isZero();
    assertThat(b.counter("sessionsStarted.STREAM")).isEqualTo(2);
  }

  void awaitReadTimeouts(Instant partitionedAt) throws IOException {
    try {
      await()
          .atMost(Duration.ofMillis(SOCKET_TIMEOUT_MS + 8000))
          .until(() -> sessionEnd(b) != null
              && log(a).contains("replication stream to the standby ended: Read timed out"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "the replication sockets did not end on read timeouts\n--- a ---\n" + a.tail()
              + "\n--- b ---\n" + b.tail(),
          e);
    }
    long endedAfterMs = Duration.between(partitionedAt, sessionEnd(b)).toMillis();
    assertThat(endedAfterMs)
        .as("the standby's session ended on its read timeout")
        .isGreaterThanOrEqualTo(SOCKET_TIMEOUT_MS - 3 * HEARTBEAT_MS);
    assertThat(b.status().fields().get("streaming")).isEqualTo("false");
  }

  /** When the standby logged the end of its (first) replication session from the primary, or null. */
  Instant sessionEnd(SidecarProcess standby) throws IOException {
    for (String line : log(standby).split("\n")) {
      if (line.contains("replication session from /" + net.addrA + ":") && line.endsWith(" ended"))
        return Instant.parse(line.substring(0, line.indexOf(' ')));
    }
    return null;
  }

  void assertNoResets() throws IOException {
    for (SidecarProcess m : List.of(a, b)) {
      assertThat(log(m))
          .as(m.name + "'s log")
          .doesNotContain("Connection reset")
          .doesNotContain("Broken pipe");
    }
  }

  static String log(SidecarProcess m) throws IOException {
    return Files.exists(m.logFile) ? Files.readString(m.logFile) : "";
  }

  void assertAcknowledgedOnStandby() {
    Map<String, byte[]> onStandby = b.all();
    assertThat(writer.acked).isNotEmpty();
    for (Map.Entry<Integer, Long> e : writer.acked.entrySet()) {
      assertThat(onStandby.get(Writer.key(e.getKey())))
          .as("acknowledged " + Writer.key(e.getKey()) + " at " + e.getValue())
          .isEqualTo(Writer.value(e.getKey()));
    }
  }

  static void assertSameState(SidecarProcess x, SidecarProcess y) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Map<String, byte[]> mx = x.all();
      Map<String, byte[]> my = y.all();
      assertThat(my.keySet()).isEqualTo(mx.keySet());
      for (String k : mx.keySet()) assertThat(my.get(k)).as(k).isEqualTo(mx.get(k));
    });
  }

  /** One thread writing k1, k2, … to the primary; remembers what was acknowledged (and at which sequence). */
  static final class Writer implements AutoCloseable {
    final Map<Integer, Long> acked = new ConcurrentHashMap<>();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicLong shortestUnavailableMillis = new AtomicLong(Long.MAX_VALUE);
    final List<String> otherErrors = new CopyOnWriteArrayList<>();
    /** nanoTime of each acknowledgement, in order (for the pauses). */
    final List<Long> ackTimes = new CopyOnWriteArrayList<>();

    private final OuClient client;
    private final Thread thread;
    private volatile boolean stop;

    Writer(SidecarProcess primary) {
      client = primary.client();
      thread = new Thread(this::loop, "partition-writer");
      thread.setDaemon(true);
      thread.start();
    }

    static String key(int n) {
      return "k" + n;
    }

    static byte[] value(int n) {
      return ("v" + n).getBytes(StandardCharsets.UTF_8);
    }

    private void loop() {
      for (int n = 1; !stop; n++) {
        long start = System.nanoTime();
        try {
          long seq = client.put(key(n), value(n));
          acked.put(n, seq);
          ackTimes.add(System.nanoTime());
          Thread.sleep(1); // a steady stream, not a flood: the machine has 2 cores for 3 JVMs
        } catch (StandbyUnavailableException e) {
          unavailable.incrementAndGet();
          shortestUnavailableMillis.accumulateAndGet(
              (System.nanoTime() - start) / 1_000_000, Math::min);
        } catch (OuException e) {
          if (!stop) otherErrors.add(key(n) + ": " + e);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The longest pause between two acknowledgements (or since the last one) after {@code sinceNanos}. */
    long longestGapSinceMillis(long sinceNanos) {
      long longest = 0;
      long prev = sinceNanos;
      for (long t : ackTimes) {
        if (t < sinceNanos) continue;
        longest = Math.max(longest, t - prev);
        prev = t;
      }
      return Math.max(longest, System.nanoTime() - prev) / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(SYNC_TIMEOUT_MS + 5000);
      client.close();
    }
  }

  /**
   * A plain TCP connection from namespace a to namespace b, next to the sidecars' own: during the
   * partition both ends' reads time out (no reset, no error), and a byte written during the partition
   * arrives after the heal over the same connection (TCP retransmits it), which only a silent drop allows.
   */
  static final class Probe {
    final Socket client;
    final Socket server;

    private Probe(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    static Probe open(NetNamespaces net) throws Exception {
      try (ServerSocket listener = NetNamespaces.inNamespace(net.nsB, () -> {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(net.addrB, PROBE_PORT));
        return s;
      })) {
        Socket c = NetNamespaces.inNamespace(net.nsA, () -> {
          Socket s = new Socket();
          s.connect(new InetSocketAddress(net.addrB, PROBE_PORT), 2000);
          return s;
        });
        listener.setSoTimeout(5000);
        Probe p = new Probe(c, listener.accept());
        p.client.getOutputStream().write(1);
        p.server.setSoTimeout(5000);
        assertThat(p.server.getInputStream().read()).isEqualTo(1);
        return p;
      }
    }

    void assertSilent() throws IOException {
      client.getOutputStream().write(2); // buffered and sent: no error
      client.setSoTimeout(500);
      server.setSoTimeout(500);
      InputStream cin = client.getInputStream();
      InputStream sin = server.getInputStream();
      assertThatThrownBy(sin::read)
          .as("the server end hears nothing and is not reset")
          .isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(cin::read)
          .as("the client end hears nothing and is not reset")
          .isInstanceOf(SocketTimeoutException.class);
    }

    void assertSurvived() throws IOException {
      try {
        server.setSoTimeout(15000);
        assertThat(server.getInputStream().read())
            .as("the byte written during the partition, retransmitted after the heal")
            .isEqualTo(2);
        server.getOutputStream().write(3);
        client.setSoTimeout(15000);
        assertThat(client.getInputStream().read()).isEqualTo(3);
      } finally {
        close();
      }
    }

    void close() throws IOException {
      client.close();
      server.close();
    }
  }
}
