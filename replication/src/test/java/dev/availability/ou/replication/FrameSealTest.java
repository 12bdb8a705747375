package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Sealed frames after the handshake: AES-256-GCM per direction, counter nonces, the header as associated data. */
class FrameSealTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER_KEY =
      "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
  static final byte[] NONCE_P = nonce(1);
  static final byte[] NONCE_S = nonce(2);
  static final String MARKER = "MARKER-the-state-in-plain-sight";

  final FrameCodec codec = new FrameCodec(Limits.DEFAULT);

  static byte[] nonce(int fill) {
    byte[] n = new byte[Messages.NONCE_BYTES];
    Arrays.fill(n, (byte) fill);
    return n;
  }

  /** The primary's end of a connection (fresh state each call: the same keys, counters at 0). */
  static FrameSeal primary() {
    return new PeerAuth(KEY).primarySeal(5, NONCE_P, NONCE_S);
  }

  static FrameSeal standby() {
    return new PeerAuth(KEY).standbySeal(5, NONCE_P, NONCE_S);
  }

  static Frame batch(int n) {
    return new Frame(
        FrameType.BATCH, 5, 100 + n, (MARKER + " record " + n).getBytes(StandardCharsets.US_ASCII));
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  /** Recomputes the CRC as a forger on the path would, so only the tag can tell. */
  static byte[] withFixedCrc(byte[] frame) {
    CRC32C crc = new CRC32C();
    crc.update(frame, 0, 24);
    crc.update(frame, FrameCodec.HEADER_BYTES, frame.length - FrameCodec.HEADER_BYTES);
    ByteBuffer.wrap(frame).putInt(24, (int) crc.getValue());
    return frame;
  }

  Refusal refusal(FrameSeal opener, byte[] bytes) {
    try {
      codec.decode(opener, bytes);
    } catch (ProtocolException e) {
      return e.reason();
    }
    throw new AssertionError("the frame was accepted");
  }

  @Test
  void everyFrameAfterTheHandshakeRoundTripsSealedBothWays() throws Exception {
    FrameSeal p = primary();
    FrameSeal s = standby();
    for (FrameType t : FrameType.values()) {
      if (t.handshake()) continue;
      Frame f = new Frame(t, 5, 42, (MARKER + " in a " + t).getBytes(StandardCharsets.US_ASCII));
      byte[] wire = codec.encode(p, f);
      assertThat(ByteBuffer.wrap(wire).getShort(2)).as("flags").isEqualTo((short)
          FrameCodec.FLAG_SEALED);
      assertThat(ByteBuffer.wrap(wire).getInt(4))
          .as("length counts the tag")
          .isEqualTo(f.payload().length + FrameSeal.TAG_BYTES);
      assertThat(wire).hasSize(FrameCodec.HEADER_BYTES + f.payload().length + FrameSeal.TAG_BYTES);
      assertThat(contains(wire, MARKER.getBytes(StandardCharsets.US_ASCII)))
          .as("plaintext visible")
          .isFalse();
      assertThat(codec.decode(s, wire)).isEqualTo(f);
      Frame back = new Frame(t, 5, 43, ("answer " + t).getBytes(StandardCharsets.US_ASCII));
      assertThat(codec.decode(p, codec.encode(s, back))).isEqualTo(back);
    }
    Frame empty = Frame.of(FrameType.ACK, 5, 9);
    assertThat(codec.decode(p, codec.encode(s, empty))).isEqualTo(empty);
    assertThat(p.sealedFrames())
        .isEqualTo(s.openedFrames())
        .isEqualTo(FrameType.values().length - 3);
    assertThat(s.sealedFrames())
        .isEqualTo(p.openedFrames())
        .isEqualTo(FrameType.values().length - 3 + 1);
  }

  @Test
  void theSameFrameTwiceGivesDifferentCiphertextAndAStreamReadsInOrder() throws Exception {
    FrameSeal p = primary();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.write(out, p, batch(1));
    codec.write(
        out,
        p,
        FrameType.BATCH,
        5,
        101,
        batch(1).payload(),
        0,
        batch(1).payload().length); // the slice path
    byte[] both = out.toByteArray();
    int half = both.length / 2;
    assertThat(Arrays.copyOfRange(both, FrameCodec.HEADER_BYTES, half))
        .isNotEqualTo(Arrays.copyOfRange(both, half + FrameCodec.HEADER_BYTES, both.length));
    FrameSeal s = standby();
    ByteArrayInputStream in = new ByteArrayInputStream(both);
    assertThat(codec.read(in, s)).isEqualTo(batch(1));
    assertThat(codec.read(in, s)).isEqualTo(batch(1));
    assertThat(codec.read(in, s)).isNull();
  }

  @Test
  void handshakeFramesStayPlaintextEvenWithASeal() throws Exception {
    Frame auth =
        new Frame(FrameType.AUTH, 5, 0, new Messages.Auth(new byte[Messages.MAC_BYTES]).encode());
    byte[] wire = codec.encode(primary(), auth);
    assertThat(wire).isEqualTo(codec.encode(auth));
    assertThat(codec.decode(wire)).isEqualTo(auth);
  }

  @Test
  void aFlippedBitAnywhereIsRefusedAndAForgedChecksumDoesNotHelp() throws Exception {
    byte[] good = codec.encode(primary(), batch(1));
    assertThat(codec.decode(standby(), good.clone()) != null).isTrue();
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = good.clone();
        damaged[i] ^= (byte) (1 << bit);
        Refusal r = refusal(standby(), damaged);
        if (i >= FrameCodec.HEADER_BYTES)
          assertThat(r).as("payload byte %d bit %d", i, bit).isEqualTo(Refusal.BAD_CHECKSUM);
        if (i >= 24) continue; // the CRC field itself
        // A forger on the path fixes the CRC: the header is associated data and the payload is
        // under the tag.
        Refusal forged = refusal(standby(), withFixedCrc(damaged));
        if (i >= 8)
          assertThat(forged)
              .as("header byte %d bit %d", i, bit)
              .isEqualTo(Refusal.BAD_MAC); // epoch, sequence
      }
    }
    for (int i = FrameCodec.HEADER_BYTES; i < good.length; i++) {
      byte[] forged = good.clone();
      forged[i] ^= 0x01;
      assertThat(refusal(standby(), withFixedCrc(forged)))
          .as("payload byte %d", i)
          .isEqualTo(Refusal.BAD_MAC);
    }
    // Header fields a forger could change in range: another epoch, another sequence, another type.
    byte[] otherType = good.clone();
    otherType[1] = (byte) FrameType.HEARTBEAT.code();
    assertThat(refusal(standby(), withFixedCrc(otherType))).isEqualTo(Refusal.BAD_MAC);
    byte[] otherSeq = good.clone();
    ByteBuffer.wrap(otherSeq).putLong(16, 7);
    assertThat(refusal(standby(), withFixedCrc(otherSeq))).isEqualTo(Refusal.BAD_MAC);
  }

  @Test
  void aFrameSealedWithTheOtherDirectionsKeyOrAnotherKeyOrSessionIsRefused() throws Exception {
    byte[] fromPrimary = codec.encode(primary(), batch(1));
    assertThat(refusal(primary(), fromPrimary))
        .as("reflected to its sender")
        .isEqualTo(Refusal.BAD_MAC);
    byte[] fromStandby = codec.encode(standby(), Frame.of(FrameType.ACK, 5, 101));
    assertThat(refusal(standby(), fromStandby))
        .as("reflected to its sender")
        .isEqualTo(Refusal.BAD_MAC);
    assertThat(refusal(new PeerAuth(OTHER_KEY).standbySeal(5, NONCE_P, NONCE_S), fromPrimary))
        .as("another unit key")
        .isEqualTo(Refusal.BAD_MAC);
    assertThat(refusal(new PeerAuth(KEY).standbySeal(5, NONCE_P, nonce(3)), fromPrimary))
        .as("another connection")
        .isEqualTo(Refusal.BAD_MAC);
    assertThat(refusal(new PeerAuth(KEY).standbySeal(6, NONCE_P, NONCE_S), fromPrimary))
        .as("another epoch")
        .isEqualTo(Refusal.BAD_MAC);
    assertThat(codec.decode(standby(), fromPrimary)).isEqualTo(batch(1));
  }

  @Test
  void keysDifferPerDirectionConnectionAndEpoch() {
    PeerAuth a = new PeerAuth(KEY);
    byte[] label = "x".getBytes(StandardCharsets.US_ASCII);
    byte[] k = a.streamKey(label, 5, NONCE_P, NONCE_S);
    assertThat(k).hasSize(32).isEqualTo(a.streamKey(label, 5, NONCE_P, NONCE_S));
    assertThat(k)
        .isNotEqualTo(a.streamKey("y".getBytes(StandardCharsets.US_ASCII), 5, NONCE_P, NONCE_S));
    assertThat(k).isNotEqualTo(a.streamKey(label, 6, NONCE_P, NONCE_S));
    assertThat(k).isNotEqualTo(a.streamKey(label, 5, NONCE_S, NONCE_P));
    assertThat(k).isNotEqualTo(new PeerAuth(OTHER_KEY).streamKey(label, 5, NONCE_P, NONCE_S));
    assertThat(k).isNotEqualTo(KEY);
  }

  @Test
  void replayedReorderedAndDroppedFramesAreRefused() throws Exception {
    FrameSeal p = primary();
    byte[] f1 = codec.encode(p, batch(1));
    byte[] f2 = codec.encode(p, batch(2));
    byte[] f3 = codec.encode(p, batch(3));

    FrameSeal replay = standby();
    assertThat(codec.decode(replay, f1)).isEqualTo(batch(1));
    assertThat(refusal(replay, f1)).as("replayed").isEqualTo(Refusal.BAD_MAC);
    assertThat(refusal(replay, f2))
        .as("after a refusal the connection opens nothing")
        .isEqualTo(Refusal.BAD_MAC);

    FrameSeal reorder = standby();
    assertThat(refusal(reorder, f2)).as("second first").isEqualTo(Refusal.BAD_MAC);

    FrameSeal dropped = standby();
    assertThat(codec.decode(dropped, f1)).isEqualTo(batch(1));
    assertThat(refusal(dropped, f3)).as("after a lost frame").isEqualTo(Refusal.BAD_MAC);

    FrameSeal inOrder = standby();
    assertThat(codec.decode(inOrder, f1)).isEqualTo(batch(1));
    assertThat(codec.decode(inOrder, f2)).isEqualTo(batch(2));
    assertThat(codec.decode(inOrder, f3)).isEqualTo(batch(3));
  }

  @Test
  void aPlaintextFrameAfterTheHandshakeIsRefusedAndASealedOneBeforeIt() {
    assertThat(refusal(standby(), codec.encode(batch(1)))).isEqualTo(Refusal.UNSEALED);
    assertThat(refusal(
            standby(),
            codec.encode(new Frame(
                FrameType.REFUSE, 9, 0, new Messages.Refuse(Refusal.STALE_EPOCH, "x").encode()))))
        .isEqualTo(Refusal.UNSEALED);
    assertThat(refusal(null, codec.encode(primary(), batch(1)))).isEqualTo(Refusal.MALFORMED);
    byte[] unknownFlag = codec.encode(primary(), batch(1));
    unknownFlag[3] |= 2;
    assertThat(refusal(standby(), withFixedCrc(unknownFlag))).isEqualTo(Refusal.MALFORMED);
  }

  @Test
  void sealedLengthsAreBoundedByThePlaintextLimitPlusTheTag() throws Exception {
    Limits small = new Limits(64, 1024, 4096, 1024, 512);
    FrameCodec c = new FrameCodec(small);
    Frame full = new Frame(FrameType.BATCH, 5, 1, new byte[small.maxBatchBytes()]);
    byte[] wire = c.encode(primary(), full);
    assertThat(c.decode(standby(), wire)).isEqualTo(full);
    byte[] over = wire.clone();
    ByteBuffer.wrap(over).putInt(4, small.maxBatchBytes() + FrameSeal.TAG_BYTES + 1);
    assertThatThrownBy(() -> c.decode(standby(), over))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(Refusal.OVERSIZED);
    byte[] control = c.encode(
        primary(), new Frame(FrameType.HEARTBEAT, 5, 1, new byte[small.maxControlBytes() + 1]));
    assertThatThrownBy(() -> c.decode(standby(), control))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(Refusal.OVERSIZED);
    byte[] tagless = c.encode(primary(), Frame.of(FrameType.ACK, 5, 1));
    byte[] shortened = Arrays.copyOf(tagless, tagless.length - 1);
    ByteBuffer.wrap(shortened).putInt(4, FrameSeal.TAG_BYTES - 1);
    assertThat(refusal(standby(), withFixedCrc(shortened))).isEqualTo(Refusal.MALFORMED);
  }

  @Test
  void aKeyStopsSealingAtItsBudgetSoTheConnectionIsRenewed() throws Exception {
    FrameSeal s = new FrameSeal(new byte[32], new byte[32], 10);
    byte[] header = new byte[24];
    s.seal(header, new byte[64], 0, 64); // 4 blocks + 1
    s.seal(header, new byte[64], 0, 64); // 10
    assertThatThrownBy(() -> s.seal(header, new byte[1], 0, 1)).isInstanceOf(IOException.class);
    assertThat(s.sealedFrames()).isEqualTo(2);
  }

  @Test
  void theSessionsDeriveMatchingSealsOnlyAfterTheProofs() throws Exception {
    SessionTest.View view = new SessionTest.View();
    PrimarySession p = new PrimarySession(new PeerAuth(KEY), 2, "pod-a", view, PeerAuth.nonce());
    StandbySession s = new StandbySession(
        new PeerAuth(KEY),
        2,
        true,
        () -> new Messages.Position(4, CatchUpPlanTest.h(Terms.of(2, 1), 1)),
        Limits.DEFAULT,
        PeerAuth::nonce);
    Frame challenge = SessionTest.sent(s.onFrame(p.hello()));
    assertThat(s.seal()).isNull();
    assertThat(p.seal()).isNull();
    Frame auth = SessionTest.sent(p.onFrame(challenge));
    assertThat(p.seal()).isNotNull();
    assertThat(s.seal()).isNull();
    Frame position = SessionTest.sent(s.onFrame(auth));
    assertThat(s.seal()).isNotNull();
    // POSITION goes sealed; the primary opens it with its own derivation.
    Frame got = codec.decode(p.seal(), codec.encode(s.seal(), position));
    assertThat(got).isEqualTo(position);
    SessionTest.only(p.onFrame(got), SessionAction.PlanReady.class);
    Frame start = p.start(CatchUpPlan.Kind.STREAM, 4, 5);
    assertThat(codec.decode(s.seal(), codec.encode(p.seal(), start))).isEqualTo(start);

    // A standby that gets a forged AUTH derives nothing.
    StandbySession s2 = new StandbySession(
        new PeerAuth(KEY),
        2,
        true,
        () -> new Messages.Position(0, new TermHistory()),
        Limits.DEFAULT,
        PeerAuth::nonce);
    s2.onFrame(p.hello());
    s2.onFrame(
        new Frame(FrameType.AUTH, 2, 0, new Messages.Auth(new byte[Messages.MAC_BYTES]).encode()));
    assertThat(s2.state()).isEqualTo(StandbySession.State.CLOSED);
    assertThat(s2.seal()).isNull();
  }
}
