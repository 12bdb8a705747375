package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.Messages;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.SessionAction;
import dev.availability.ou.replication.StandbySession;
import dev.availability.ou.replication.TermHistory;
import dev.availability.ou.replication.Terms;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strangers, corrupted frames, torn log tails and malformed local requests against real sidecar processes. */
class BadInputProcessTest {
  @TempDir
  Path root;

  String net;
  Path key;
  SidecarProcess standby;
  final FrameCodec codec = new FrameCodec(Limits.DEFAULT);

  @BeforeEach
  void setUp() throws Exception {
    net = SidecarProcess.freshNet();
    key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("standby", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "3");
  }

  @AfterEach
  void tearDown() throws Exception {
    standby.close();
  }

  Socket connect(SidecarProcess p) throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(p.host, SidecarProcess.REPLICATION_PORT), 2000);
    s.setSoTimeout(5000);
    return s;
  }

  /** Sends raw bytes; returns the REFUSE reason the standby answered with (or null when it just closed). */
  String sendRaw(byte[] bytes) throws Exception {
    try (Socket s = connect(standby)) {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      try {
        Frame f = codec.read(s.getInputStream());
        if (f != null && f.type() == FrameType.REFUSE)
          return Messages.Refuse.decode(f.payload()).reason().name();
        return f == null ? null : f.type().name();
      } catch (java.io.IOException e) {
        return null;
      }
    }
  }

  /** Authenticates with the real key and returns the session, positioned to stream from the standby's last sequence. */
  record Session(Socket socket, PrimarySession ps) {}

  Session authenticate(byte[] withKey, long epoch) throws Exception {
    Socket s = connect(standby);
    PrimarySession ps = new PrimarySession(
        new PeerAuth(withKey),
        epoch,
        "test-primary",
        new PrimarySession.LogView() {
          @Override
          public long firstSeq() {
            return 1;
          }

          @Override
          public long lastSeq() {
            return 0;
          }

          @Override
          public TermHistory history() {
            return new TermHistory();
          }
        },
        PeerAuth.nonce());
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    codec.write(out, ps.hello());
    while (ps.state() != PrimarySession.State.PLANNING
        && ps.state() != PrimarySession.State.CLOSED) {
      Frame f = codec.read(in, ps.seal()); // POSITION comes sealed
      if (f == null) break;
      for (SessionAction a : ps.onFrame(f))
        if (a instanceof SessionAction.Send send) codec.write(out, ps.seal(), send.frame());
    }
    return new Session(s, ps);
  }

  @Test
  void corruptedAndMalformedFramesAreRefusedAndTheStandbySurvives() throws Exception {
    standby.start();
    byte[] good = codec.encode(
        new Frame(FrameType.HELLO, 3, 0, new Messages.Hello(PeerAuth.nonce(), "x", true).encode()));
    byte[] badVersion = good.clone();
    badVersion[0] = 9;
    byte[] badType = good.clone();
    badType[1] = 77;
    byte[] badCrc = good.clone();
    badCrc[good.length - 1] ^= 1;
    byte[] oversized = good.clone();
    ByteBuffer.wrap(oversized).putInt(4, 1 << 30);
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    assertThat(sendRaw(badVersion)).isEqualTo("UNKNOWN_VERSION");
    assertThat(sendRaw(badType)).isEqualTo("UNKNOWN_TYPE");
    assertThat(sendRaw(badCrc)).isEqualTo("BAD_CHECKSUM");
    assertThat(sendRaw(oversized)).isEqualTo("OVERSIZED");
    try (Socket s = connect(standby)) { // ends inside the frame
      s.getOutputStream().write(truncated);
      s.shutdownOutput();
      assertThat(Messages.Refuse.decode(codec.read(s.getInputStream()).payload())
              .reason()
              .name())
          .isEqualTo("TRUNCATED");
    }
    assertThat(sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes())).isEqualTo("UNKNOWN_VERSION");
    assertThat(standby.alive()).isTrue();
    assertThat(standby.counter("framesRefused.BAD_CHECKSUM")).isEqualTo(1);
    assertThat(standby.counter("framesRefused.OVERSIZED")).isEqualTo(1);

    // Authenticated, but a record inside the batch is damaged: refused, nothing applied.
    Session sess = authenticate(Files.readAllBytes(key), 3);
    assertThat(sess.ps().state()).isEqualTo(PrimarySession.State.PLANNING);
    OutputStream out = sess.socket().getOutputStream();
    codec.write(
        out,
        sess.ps().seal(),
        sess.ps().start(dev.availability.ou.replication.CatchUpPlan.Kind.STREAM, 0, 1));
    ByteArrayOutputStream recs = new ByteArrayOutputStream();
    recs.writeBytes(
        LogRecord.put(1, Terms.of(3, 1), "good".getBytes(), "v".getBytes()).encode());
    byte[] bad =
        LogRecord.put(2, Terms.of(3, 1), "bad".getBytes(), "v".getBytes()).encode();
    bad[bad.length - 1] ^= 0x10;
    recs.writeBytes(bad);
    sess.ps().sent(2);
    codec.write(
        out,
        sess.ps().seal(),
        sess.ps().batch(1, recs.toByteArray())); // sealed: it opens, the record inside is bad
    out.flush();
    Frame answer;
    do {
      answer = codec.read(sess.socket().getInputStream(), sess.ps().seal());
    } while (answer != null && answer.type() != FrameType.REFUSE);
    assertThat(Messages.Refuse.decode(answer.payload()).reason().name()).isEqualTo("BAD_CHECKSUM");
    sess.socket().close();
    assertThat(standby.all()).isEmpty();
    assertThat(standby.status().lastSeq()).isZero();
    assertThat(standby.alive()).isTrue();
  }

  @Test
  void aStrangerWithoutTheKeyCanNeitherFeedNorReadTheStream() throws Exception {
    standby.start();
    // Feed: a primary with another key is refused before anything is applied.
    byte[] otherKey = new byte[32];
    new java.security.SecureRandom().nextBytes(otherKey);
    Session s = authenticate(otherKey, 3);
    assertThat(s.ps().state()).isEqualTo(PrimarySession.State.CLOSED);
    s.socket().close();
    assertThat(standby.all()).isEmpty();

    // Read: the real primary is pointed at a stranger's endpoint; it never streams to it.
    SidecarProcess primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "3")
        .with("OU_PEER_ENDPOINT", net + "9:" + SidecarProcess.REPLICATION_PORT)
        .with("OU_MODE", "Asynchronous");
    AtomicReference<String> strangerSaw = new AtomicReference<>("nothing");
    try (ServerSocket stranger = new ServerSocket()) {
      stranger.bind(new InetSocketAddress(net + "9", SidecarProcess.REPLICATION_PORT));
      Thread t = new Thread(() -> {
        try (Socket c = stranger.accept()) {
          c.setSoTimeout(5000);
          StandbySession ss = new StandbySession(
              new PeerAuth(otherKey),
              3,
              true,
              () -> new Messages.Position(0, new TermHistory()),
              Limits.DEFAULT,
              PeerAuth::nonce);
          while (true) {
            Frame f = codec.read(c.getInputStream());
            if (f == null) break;
            strangerSaw.set(f.type().name());
            if (f.type() == FrameType.BATCH || f.type() == FrameType.SNAPSHOT_CHUNK) break;
            List<SessionAction> actions = ss.onFrame(f);
            for (SessionAction a : actions)
              if (a instanceof SessionAction.Send send)
                codec.write(c.getOutputStream(), send.frame());
          }
        } catch (Exception e) {
          // the primary hung up
        }
      });
      t.start();
      primary.start();
      try (OuClient c = primary.client()) {
        c.put("secret", "value".getBytes());
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> primary.counter("sessionsClosed.BAD_AUTH") >= 1);
      t.join(10_000);
    } finally {
      primary.close();
    }
    assertThat(strangerSaw.get()).isIn("HELLO", "REFUSE");
  }

  @Test
  void tornLogTailIsCutOffAtRestartAndReported() throws Exception {
    SidecarProcess p = new SidecarProcess("solo", net + "5", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Asynchronous");
    try {
      p.start();
      try (OuClient c = p.client()) {
        for (int i = 1; i <= 20; i++) c.put("k" + i, ("v" + i).getBytes());
      }
      p.kill();
      Path segment;
      try (Stream<Path> s = Files.list(p.dataDir.resolve("log"))) {
        segment = s.filter(f -> f.toString().endsWith(".log"))
            .sorted()
            .reduce((a, b) -> b)
            .orElseThrow();
      }
      try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
        f.setLength(f.length() - 3); // the last record (k20) half-written
      }
      p.start();
      assertThat(p.counter("logTailsCut")).isEqualTo(1);
      assertThat(p.http("/status")).contains("note.lastLogCut").contains("TRUNCATED");
      try (OuClient c = p.client()) {
        assertThat(c.get("k19")).isPresent();
        assertThat(c.get("k20")).isEmpty();
        c.put("k21", "v21".getBytes()); // the log goes on after the cut
      }
    } finally {
      p.close();
    }
  }

  @Test
  void malformedLocalRequestsAreRefusedAndTheSidecarGoesOn() throws Exception {
    standby.start();
    try (Socket s = new Socket(standby.host, SidecarProcess.API_PORT)) { // bad preface: closed
      s.getOutputStream().write("HELO".getBytes());
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    try (Socket s = new Socket(standby.host, SidecarProcess.API_PORT)) {
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(new byte[] {'O', 'U', 'L', '1'});
      in.readNBytes(4);
      s.setSoTimeout(1000);
      out.write(ByteBuffer.allocate(9).putInt(5).putInt(1).put((byte) 99).array()); // unknown op
      assertThat(in.readInt()).isGreaterThan(5);
      assertThat(in.readInt()).isEqualTo(1);
      assertThat(in.readUnsignedByte())
          .isEqualTo(dev.availability.ou.client.LocalProtocol.BAD_REQUEST);
      in.readNBytes(200);
    } catch (java.net.SocketTimeoutException ignored) {
      // message read
    }
    try (Socket s = new Socket(
        standby.host, SidecarProcess.API_PORT)) { // absurd length: refused, connection closed
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(new byte[] {'O', 'U', 'L', '1'});
      in.readNBytes(4);
      out.write(ByteBuffer.allocate(9)
          .putInt(Integer.MAX_VALUE)
          .putInt(2)
          .put((byte) 1)
          .array());
      in.readInt();
      in.readInt();
      assertThat(in.readUnsignedByte())
          .isEqualTo(dev.availability.ou.client.LocalProtocol.TOO_LARGE);
    }
    try (OuClient c = standby.client()) {
      assertThat(c.status().role().name()).isEqualTo("STANDBY");
    }
    assertThat(standby.counter("localApiBadFrames")).isEqualTo(1);
  }
}
