package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  final FrameCodec codec = new FrameCodec(Limits.DEFAULT);

  @Test
  void everyFrameTypeRoundTrips() throws Exception {
    for (FrameType t : FrameType.values()) {
      Frame f = new Frame(t, 7, 42, ("payload of " + t).getBytes());
      assertThat(codec.decode(codec.encode(f))).isEqualTo(f);
    }
  }

  @Test
  void streamOfFramesReadsBackInOrderAndEndsCleanly() throws Exception {
    byte[] a = codec.encode(Frame.of(FrameType.ACK, 1, 5));
    byte[] b = codec.encode(new Frame(FrameType.BATCH, 1, 6, new byte[100]));
    byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    ByteArrayInputStream in = new ByteArrayInputStream(both);
    assertThat(codec.read(in).type()).isEqualTo(FrameType.ACK);
    assertThat(codec.read(in).seq()).isEqualTo(6);
    assertThat(codec.read(in)).isNull();
  }

  @Test
  void refusesUnknownVersion() {
    byte[] bytes = codec.encode(Frame.of(FrameType.ACK, 1, 1));
    bytes[0] = 1; // the plaintext protocol of before: refused at the first byte
    assertRefused(bytes, Refusal.UNKNOWN_VERSION);
    bytes[0] = 3;
    assertRefused(bytes, Refusal.UNKNOWN_VERSION);
  }

  @Test
  void refusesUnknownType() {
    byte[] bytes = codec.encode(Frame.of(FrameType.ACK, 1, 1));
    bytes[1] = 99;
    assertRefused(bytes, Refusal.UNKNOWN_TYPE);
  }

  @Test
  void refusesUnknownFlagsAndASealedFrameWithoutKeys() {
    byte[] bytes = codec.encode(Frame.of(FrameType.ACK, 1, 1));
    bytes[3] = 2;
    assertRefused(bytes, Refusal.MALFORMED);
    bytes[3] = FrameCodec.FLAG_SEALED; // with a valid checksum: sealed, but this reader has no keys
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 24);
    ByteBuffer.wrap(bytes).putInt(24, (int) crc.getValue());
    assertRefused(bytes, Refusal.MALFORMED);
  }

  @Test
  void refusesOversizedLengthBeforeAllocating() {
    byte[] bytes = codec.encode(Frame.of(FrameType.HELLO, 1, 1));
    ByteBuffer.wrap(bytes).putInt(4, Integer.MAX_VALUE); // ~2 GiB claimed, nothing allocated
    assertRefused(bytes, Refusal.OVERSIZED);
    byte[] control = codec.encode(
        new Frame(FrameType.POSITION, 1, 1, new byte[Limits.DEFAULT.maxControlBytes() + 1]));
    assertRefused(control, Refusal.OVERSIZED);
  }

  @Test
  void refusesTruncatedHeaderAndPayload() {
    byte[] bytes = codec.encode(new Frame(FrameType.BATCH, 1, 1, new byte[64]));
    assertRefused(Arrays.copyOf(bytes, 10), Refusal.TRUNCATED);
    assertRefused(Arrays.copyOf(bytes, bytes.length - 1), Refusal.TRUNCATED);
  }

  @Test
  void refusesEveryFlippedBitAsBadChecksumOrWorse() {
    byte[] good = codec.encode(new Frame(FrameType.BATCH, 3, 9, "some records".getBytes()));
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> codec.decode(bad)).isInstanceOf(ProtocolException.class);
      }
    }
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1;
    assertRefused(bad, Refusal.BAD_CHECKSUM);
  }

  @Test
  void refusesTrailingBytesAndEmptyInput() {
    byte[] good = codec.encode(Frame.of(FrameType.ACK, 1, 1));
    assertRefused(Arrays.copyOf(good, good.length + 3), Refusal.MALFORMED);
    assertRefused(new byte[0], Refusal.TRUNCATED);
  }

  @Test
  void refusesNegativeSequenceEvenWithValidChecksum() {
    byte[] bytes = codec.encode(Frame.of(FrameType.ACK, 1, 1));
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.putLong(16, -5);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 24);
    b.putInt(24, (int) crc.getValue());
    assertRefused(bytes, Refusal.MALFORMED);
  }

  @Test
  void controlPayloadsRoundTripAndRefuseGarbage() throws Exception {
    Messages.Hello h = new Messages.Hello(PeerAuth.nonce(), "pod-a", true);
    assertThat(Messages.Hello.decode(h.encode()).member()).isEqualTo("pod-a");
    TermHistory hist = new TermHistory();
    hist.note(Terms.of(1, 1), 1);
    hist.note(Terms.of(2, 1), 10);
    Messages.Position p = Messages.Position.decode(new Messages.Position(12, hist).encode());
    assertThat(p.lastSeq()).isEqualTo(12);
    assertThat(p.history().starts()).isEqualTo(hist.starts());
    assertThat(Messages.Refuse.decode(new Messages.Refuse(Refusal.STALE_EPOCH, "old").encode())
            .reason())
        .isEqualTo(Refusal.STALE_EPOCH);
    assertThatThrownBy(() -> Messages.Hello.decode(new byte[3]))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(Refusal.MALFORMED);
    assertThatThrownBy(() -> Messages.Start.decode(new byte[40]))
        .isInstanceOf(ProtocolException.class);
    byte[] hugeHistory = ByteBuffer.allocate(12).putLong(1).putInt(1 << 30).array();
    assertThatThrownBy(() -> Messages.Position.decode(hugeHistory))
        .isInstanceOf(ProtocolException.class);
  }

  private void assertRefused(byte[] bytes, Refusal reason) {
    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(reason);
  }

  /** Issue 15 item 1: a stranger's header claiming a large BATCH is refused before its payload is read or allocated. */
  @Test
  void beforeThePeerProvedTheKeyOnlyHandshakeFramesAreReadAndNothingLargeIsAllocated()
      throws Exception {
    ByteBuffer h = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
    h.put((byte) FrameCodec.VERSION)
        .put((byte) FrameType.BATCH.code())
        .putShort((short) 0)
        .putInt(8 << 20)
        .putLong(1)
        .putLong(1)
        .putInt(0);
    ByteArrayInputStream in = new ByteArrayInputStream(
        h.array()); // the header alone: reading a payload would fail as truncated
    assertThatThrownBy(() -> codec.read(in, null, true))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(Refusal.UNEXPECTED_FRAME));

    byte[] hello = codec.encode(new Frame(FrameType.HELLO, 1, 0, new byte[] {1, 2, 3}));
    assertThat(codec.decode(hello).type()).isEqualTo(FrameType.HELLO);
  }
}
