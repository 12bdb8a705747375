package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.Terms;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication stream as someone on the pod network sees it: a relay between the primary and the
 * standby (the primary's peer endpoint points at it) records every byte, and can change or inject
 * frames after the handshake as a man in the middle would.
 */
class StreamEncryptionProcessTest {
  static final String MARKER = "OU-MARKER-7f3a9c-plaintext-state";

  @TempDir
  Path root;

  String net;
  Path key;
  SidecarProcess primary;
  SidecarProcess standby;
  Relay relay;

  @BeforeEach
  void setUp() throws Exception {
    net = SidecarProcess.freshNet();
    key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("standby", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1");
    relay = new Relay(
        new InetSocketAddress(net + "3", SidecarProcess.REPLICATION_PORT),
        new InetSocketAddress(standby.host, SidecarProcess.REPLICATION_PORT));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (primary != null) primary.close();
    standby.close();
    relay.close();
  }

  SidecarProcess primary(String mode) throws Exception {
    primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", relay.endpoint())
        .with("OU_MODE", mode);
    return primary.start();
  }

  @Test
  void theStreamCarriesNoPlaintextAndTheStandbyHoldsEveryValue() throws Exception {
    standby.start();
    primary("Synchronous");
    try (OuClient c = primary.client()) {
      for (int i = 0; i < 40; i++)
        c.put(
            "key-" + MARKER + "-" + i,
            (MARKER + " value " + i + " " + "x".repeat(i * 50)).getBytes(StandardCharsets.UTF_8));
      c.begin("stimulus-" + MARKER);
      c.end("stimulus-" + MARKER);
    }
    // Synchronous: acknowledged means on the standby, through the relay.
    Map<String, byte[]> held = standby.all();
    for (int i = 0; i < 40; i++) {
      assertThat(held.get("key-" + MARKER + "-" + i))
          .as("value " + i)
          .isEqualTo(
              (MARKER + " value " + i + " " + "x".repeat(i * 50)).getBytes(StandardCharsets.UTF_8));
    }
    byte[] seen = relay.recorded();
    assertThat(seen.length)
        .as("the relay saw the state go by")
        .isGreaterThan(40 * MARKER.length() + 39 * 20 * 50);
    assertThat(indexOf(seen, MARKER.getBytes(StandardCharsets.UTF_8)))
        .as("marker in the recorded stream")
        .isEqualTo(-1);
    assertThat(indexOf(seen, "7f3a9c".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    assertThat(indexOf(seen, "xxxxxxxxxxxxxxxx".getBytes(StandardCharsets.UTF_8)))
        .as("a run of value bytes")
        .isEqualTo(-1);
    assertThat(relay.sealedFrames.get()).isGreaterThan(0);
    assertThat(standby.counter("framesRefused.BAD_MAC")).isZero();
  }

  @Test
  void aBatchChangedOnTheWayIsRefusedAndNothingOfItIsApplied() throws Exception {
    standby.start();
    relay.mode =
        Relay.Mode
            .FLIP_AND_FIX_CRC; // a man in the middle who knows the frame format but not the key
    primary("Asynchronous");
    try (OuClient c = primary.client()) {
      c.put("k1", (MARKER + " one").getBytes(StandardCharsets.UTF_8));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> standby.counter("framesRefused.BAD_MAC") >= 2);
    assertThat(relay.tampered.get()).isGreaterThanOrEqualTo(2);
    assertThat(standby.status().lastSeq()).isZero();
    assertThat(standby.all()).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> primary.counter("sessionsClosed.BAD_MAC") >= 1);

    relay.mode = Relay.Mode.FLIP; // damage in transit: the checksum tells it from forgery
    long checksum = standby.counter("framesRefused.BAD_CHECKSUM");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> standby.counter("framesRefused.BAD_CHECKSUM") > checksum);
    assertThat(standby.all()).isEmpty();

    relay.mode = Relay.Mode.PASS; // the primary reconnects (fresh keys) and the stream goes on
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(standby.all()).containsKey("k1"));
    assertThat(standby.all().get("k1"))
        .isEqualTo((MARKER + " one").getBytes(StandardCharsets.UTF_8));
    assertThat(standby.alive()).isTrue();
  }

  @Test
  void aPlaintextBatchInjectedAfterTheHandshakeIsRefused() throws Exception {
    standby.start();
    relay.mode =
        Relay.Mode
            .INJECT_PLAINTEXT; // before each BATCH, a forged plaintext one for the same sequence
    primary("Asynchronous");
    try (OuClient c = primary.client()) {
      c.put("k1", "v1".getBytes(StandardCharsets.UTF_8));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> standby.counter("framesRefused.UNSEALED") >= 1);
    assertThat(relay.tampered.get()).isGreaterThanOrEqualTo(1);
    assertThat(standby.all()).isEmpty();

    relay.mode = Relay.Mode.PASS;
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(standby.all()).containsKey("k1"));
    assertThat(standby.all()).doesNotContainKey("injected");
  }

  @Test
  void withEncryptionOffOnBothSidesTheStreamIsPlaintextAndStillReplicates() throws Exception {
    standby.with("OU_STREAM_ENCRYPTION", "none").start();
    primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", relay.endpoint())
        .with("OU_MODE", "Synchronous")
        .with("OU_STREAM_ENCRYPTION", "none")
        .start();
    try (OuClient c = primary.client()) {
      c.put("k1", (MARKER + " one").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(standby.all().get("k1"))
        .isEqualTo((MARKER + " one").getBytes(StandardCharsets.UTF_8));
    // What the setting gives up, shown rather than assumed: the state is readable on the wire.
    assertThat(indexOf(relay.recorded(), MARKER.getBytes(StandardCharsets.UTF_8)))
        .isNotNegative();
    assertThat(relay.sealedFrames.get()).isZero();
  }

  @Test
  void whenOnlyOneMemberAsksForSealingTheStreamIsSealed() throws Exception {
    // A unit turning encryptStream off or on replaces its pods one by one: the pair in between must
    // go on replicating, and sealed, as long as one of them still asks for it.
    standby.start();
    primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", relay.endpoint())
        .with("OU_MODE", "Synchronous")
        .with("OU_STREAM_ENCRYPTION", "none")
        .start();
    try (OuClient c = primary.client()) {
      c.put("k1", (MARKER + " one").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(standby.all().get("k1"))
        .isEqualTo((MARKER + " one").getBytes(StandardCharsets.UTF_8));
    assertThat(indexOf(relay.recorded(), MARKER.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
    assertThat(relay.sealedFrames.get()).isGreaterThan(0);
  }

  @Test
  void aManInTheMiddleCannotTalkTheMembersOutOfSealing() throws Exception {
    standby.with("OU_STREAM_ENCRYPTION", "none").start(); // only the primary asks for sealing
    relay.mode = Relay.Mode.DOWNGRADE_HELLO;
    primary("Asynchronous");
    try (OuClient c = primary.client()) {
      c.put("k1", (MARKER + " one").getBytes(StandardCharsets.UTF_8));
    }
    // The standby's proof covers the wish it received; the primary checks it against the one it
    // sent.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> primary.counter("sessionsClosed.BAD_AUTH") >= 1);
    assertThat(standby.all()).isEmpty();
    assertThat(indexOf(relay.recorded(), MARKER.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);

    relay.mode = Relay.Mode.PASS;
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(standby.all()).containsKey("k1"));
    assertThat(indexOf(relay.recorded(), MARKER.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /** A TCP relay that records both directions and parses the primary's frames to change them. */
  static final class Relay implements AutoCloseable {
    enum Mode {
      PASS,
      FLIP,
      FLIP_AND_FIX_CRC,
      INJECT_PLAINTEXT,
      DOWNGRADE_HELLO
    }

    final ServerSocket server = new ServerSocket();
    final InetSocketAddress target;
    final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    final AtomicInteger sealedFrames = new AtomicInteger();
    final AtomicInteger tampered = new AtomicInteger();
    volatile Mode mode = Mode.PASS;
    private volatile boolean open = true;

    Relay(InetSocketAddress listen, InetSocketAddress target) throws IOException {
      this.target = target;
      server.bind(listen);
      Thread t = new Thread(this::accept, "relay-accept");
      t.setDaemon(true);
      t.start();
    }

    String endpoint() {
      return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    byte[] recorded() {
      synchronized (recorded) {
        return recorded.toByteArray();
      }
    }

    private void record(byte[] b, int off, int len) {
      synchronized (recorded) {
        recorded.write(b, off, len);
      }
    }

    private void accept() {
      while (open) {
        try {
          Socket from = server.accept();
          Socket to = new Socket();
          to.connect(target, 2000);
          start(() -> frames(from, to));
          start(() -> pipe(to, from));
        } catch (IOException e) {
          // closed
        }
      }
    }

    private static void start(Runnable r) {
      Thread t = new Thread(r, "relay");
      t.setDaemon(true);
      t.start();
    }

    /** Standby to primary: bytes as they come. */
    private void pipe(Socket from, Socket to) {
      try (from;
          to) {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          record(buf, 0, n);
          out.write(buf, 0, n);
        }
      } catch (IOException e) {
        // one side hung up
      }
    }

    /** Primary to standby: frame by frame, so a frame's payload can be changed or a frame slipped in. */
    private void frames(Socket from, Socket to) {
      try (from;
          to) {
        DataInputStream in = new DataInputStream(from.getInputStream());
        OutputStream out = to.getOutputStream();
        byte[] header = new byte[FrameCodec.HEADER_BYTES];
        while (true) {
          in.readFully(header);
          ByteBuffer h = ByteBuffer.wrap(header);
          int length = h.getInt(4);
          byte[] payload = new byte[length];
          in.readFully(payload);
          record(header, 0, header.length);
          record(payload, 0, payload.length);
          boolean sealed = (h.getShort(2) & FrameCodec.FLAG_SEALED) != 0;
          if (sealed) sealedFrames.incrementAndGet();
          boolean batch = header[1] == FrameType.BATCH.code();
          Mode m = mode;
          if (m == Mode.DOWNGRADE_HELLO && header[1] == FrameType.HELLO.code()) {
            // The primary's "seal" wish is HELLO's last byte: clear it and fix the checksum, so
            // only the proofs (which cover it) can tell.
            tampered.incrementAndGet();
            payload[length - 1] = 0;
            CRC32C crc = new CRC32C();
            crc.update(header, 0, 24);
            crc.update(payload);
            h.putInt(24, (int) crc.getValue());
          }
          if (batch && m != Mode.PASS) {
            tampered.incrementAndGet();
            if (m == Mode.INJECT_PLAINTEXT) {
              byte[] forged = LogRecord.put(
                      h.getLong(16),
                      Terms.of(h.getLong(8), 1),
                      "injected".getBytes(StandardCharsets.UTF_8),
                      "evil".getBytes(StandardCharsets.UTF_8))
                  .encode();
              out.write(new FrameCodec(Limits.DEFAULT)
                  .encode(new dev.availability.ou.replication.Frame(
                      FrameType.BATCH, h.getLong(8), h.getLong(16), forged)));
            } else {
              payload[length / 2] ^= 0x40;
              if (m == Mode.FLIP_AND_FIX_CRC) {
                CRC32C crc = new CRC32C();
                crc.update(header, 0, 24);
                crc.update(payload);
                h.putInt(24, (int) crc.getValue());
              }
            }
          }
          out.write(header);
          out.write(payload);
          out.flush();
        }
      } catch (IOException e) {
        // one side hung up
      }
    }

    @Override
    public void close() throws IOException {
      open = false;
      server.close();
    }
  }
}
