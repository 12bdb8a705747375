package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strangers against a real standby sidecar process (issue 15, items 1 and 2): 50 connections to its replication
 * port, each claiming an 8 MiB BATCH and then trickling bytes, and 5 connections dripping a request to its health
 * port. The sidecar stays alive, {@code /healthz} answers within a second, and the real primary still connects and
 * replicates within 2 s. Before the fix: the strangers took every replication slot (16, refusing the primary) or
 * an 8 MiB buffer each (the 64 MiB heap ran out), and one dripping health caller held the only health thread.
 */
class HostilePeersProcessTest {
  @TempDir
  Path root;

  String net;
  Path key;
  SidecarProcess primary;
  SidecarProcess standby;
  final AtomicBoolean trickling = new AtomicBoolean(true);
  final List<Socket> strangers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    net = SidecarProcess.freshNet();
    key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("standby", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1");
    primary = new SidecarProcess("primary", net + "1", root, key);
  }

  @AfterEach
  void tearDown() throws Exception {
    trickling.set(false);
    for (Socket s : strangers) s.close();
    primary.close();
    standby.close();
  }

  @Test
  void
      strangersOnTheReplicationAndHealthPortsNeitherKillTheSidecarNorKeepOutItsProbesAndItsPrimary()
          throws Exception {
    standby.start();
    for (int i = 0; i < 50; i++) strangers.add(claimHugeBatchAndTrickle());
    for (int i = 0; i < 5; i++) strangers.add(dripHealthRequest());
    Thread dripper = Thread.ofPlatform().daemon().start(this::trickle);
    Thread.sleep(1500); // the strangers are all in, trickling

    assertThat(standby.alive()).as("the standby sidecar survives").isTrue();
    long start = System.nanoTime();
    assertThat(healthz()).startsWith("HTTP/1.0 200");
    assertThat((System.nanoTime() - start) / 1_000_000)
        .as("ms for /healthz while strangers drip")
        .isLessThan(1000);

    primary
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", standby.replicationEndpoint())
        .start();
    try (OuClient c = primary.client()) {
      long since = System.nanoTime();
      await("the primary's first synchronous write, acknowledged by the standby")
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> c.put("k", "v".getBytes()) > 0);
      assertThat(standby.status().durableSeq())
          .isGreaterThanOrEqualTo(c.status().lastSeq());
      System.err.printf(
          "first replicated write %d ms after the primary's start, with 50 strangers on the replication port%n",
          (System.nanoTime() - since) / 1_000_000);
    }
    assertThat(standby.alive()).isTrue();
    assertThat(standby.counter("replicationConnectionsEvicted")
            + standby.counter("framesRefused.UNEXPECTED_FRAME"))
        .isPositive();
    trickling.set(false);
    dripper.join(2000);
  }

  /** A connection that sends a frame header claiming an 8 MiB BATCH payload, then (see {@link #trickle}) a byte at a time. */
  private Socket claimHugeBatchAndTrickle() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(standby.host, SidecarProcess.REPLICATION_PORT), 2000);
    ByteBuffer h = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
    h.put((byte) FrameCodec.VERSION)
        .put((byte) FrameType.BATCH.code())
        .putShort((short) 0)
        .putInt(8 << 20)
        .putLong(1)
        .putLong(1)
        .putInt(0);
    s.getOutputStream().write(h.array());
    s.getOutputStream().flush();
    return s;
  }

  /** A connection to the health port that sends the start of a request and then a byte at a time. */
  private Socket dripHealthRequest() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(standby.host, SidecarProcess.HEALTH_PORT), 2000);
    s.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  private void trickle() {
    while (trickling.get()) {
      for (Socket s : strangers) {
        try {
          s.getOutputStream().write('x');
          s.getOutputStream().flush();
        } catch (IOException closedByTheSidecar) {
          // what a stranger should expect
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private String healthz() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(standby.host, SidecarProcess.HEALTH_PORT), 1000);
      s.setSoTimeout(1000);
      s.getOutputStream()
          .write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
