package dev.availability.ou.replication;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes frames. Layout (big-endian), 28-byte header then the payload:
 * <pre>
 *   u8  version (2)      u8 type      u16 flags (bit 0: sealed)
 *   u32 payload length   (of a sealed frame: ciphertext + 16-byte tag)
 *   u64 epoch
 *   u64 sequence
 *   u32 CRC32C over the first 24 header bytes and the payload as sent
 * </pre>
 * The length is checked against the per-type bound before anything is allocated, so a hostile
 * length cannot make the reader allocate.
 *
 * <p>With a {@link FrameSeal} (a connection past its handshake) every frame but HELLO/CHALLENGE/AUTH
 * is written sealed (AES-256-GCM, the first 24 header bytes as associated data), and only sealed
 * frames are read: a plaintext frame is refused ({@link Refusal#UNSEALED}), one that does not open
 * too ({@link Refusal#BAD_MAC}). The CRC is checked first, so damage in transit still reads as
 * {@link Refusal#BAD_CHECKSUM} and BAD_MAC means the frame was made or changed without the key.
 * The codec itself holds no connection state and is shared.
 */
public final class FrameCodec {
  /** 2: frames after the handshake are sealed (1 sent them in plaintext). */
  public static final int VERSION = 2;

  public static final int HEADER_BYTES = 28;
  /** Flags bit: the payload is sealed (ciphertext followed by the tag). */
  public static final int FLAG_SEALED = 1;

  private final Limits limits;

  public FrameCodec(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** The frame's bytes, header and payload, in plaintext. */
  public byte[] encode(Frame f) {
    return encode(null, f);
  }

  /** The frame's bytes as {@link #write(OutputStream, FrameSeal, Frame)} sends them. */
  public byte[] encode(FrameSeal seal, Frame f) {
    java.io.ByteArrayOutputStream out =
        new java.io.ByteArrayOutputStream(HEADER_BYTES + f.payload().length + FrameSeal.TAG_BYTES);
    try {
      write(out, seal, f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the frame in plaintext (not flushed): the handshake, before there are keys. */
  public void write(OutputStream out, Frame f) throws IOException {
    write(out, null, f);
  }

  /** Writes the frame (not flushed), sealed when {@code seal} is set and the frame is not a handshake frame. */
  public void write(OutputStream out, FrameSeal seal, Frame f) throws IOException {
    write(out, seal, f.type(), f.epoch(), f.seq(), f.payload(), 0, f.payload().length);
  }

  /** Writes a plaintext frame whose payload is a slice of {@code bytes} (not flushed). */
  public void write(
      OutputStream out, FrameType type, long epoch, long seq, byte[] bytes, int off, int len)
      throws IOException {
    write(out, null, type, epoch, seq, bytes, off, len);
  }

  /**
   * Writes a frame whose payload is a slice of {@code bytes} (not flushed): the streaming path sends the
   * log writer's buffer this way, without copying it into a frame first. With a seal (and for any type
   * but the handshake's) the slice is encrypted straight into the seal's reusable buffer, the only copy.
   */
  public void write(
      OutputStream out,
      FrameSeal seal,
      FrameType type,
      long epoch,
      long seq,
      byte[] bytes,
      int off,
      int len)
      throws IOException {
    boolean sealed = seal != null && !type.handshake();
    byte[] header = new byte[HEADER_BYTES];
    ByteBuffer b = ByteBuffer.wrap(header);
    b.put((byte) VERSION)
        .put((byte) type.code())
        .putShort((short) (sealed ? FLAG_SEALED : 0))
        .putInt(sealed ? len + FrameSeal.TAG_BYTES : len)
        .putLong(epoch)
        .putLong(seq);
    if (sealed) {
      bytes = seal.seal(header, bytes, off, len);
      off = 0;
      len += FrameSeal.TAG_BYTES;
    }
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 24);
    crc.update(bytes, off, len);
    b.putInt((int) crc.getValue());
    out.write(header);
    out.write(bytes, off, len);
  }

  /**
   * Reads one plaintext frame. Returns null on a clean end of stream before any header byte; throws a
   * {@link ProtocolException} for anything malformed (including a stream that ends mid-frame).
   */
  public Frame read(InputStream in) throws IOException, ProtocolException {
    return read(in, null);
  }

  /**
   * Reads one frame: with {@code seal} null (the handshake) a plaintext one, else a sealed one, opened
   * (its payload is then the plaintext). Returns null on a clean end of stream before any header byte;
   * throws a {@link ProtocolException} for anything malformed, unsealed when it must be sealed, or that
   * does not open; nothing of such a frame is returned.
   */
  public Frame read(InputStream in, FrameSeal seal) throws IOException, ProtocolException {
    return read(in, seal, false);
  }

  /**
   * Reads one frame as {@link #read(InputStream, FrameSeal)}; with {@code handshakeOnly} (a peer that has not
   * proved the unit key yet) only HELLO, CHALLENGE, AUTH and REFUSE are accepted, so a stranger's frame costs at
   * most a control frame's size: a header claiming a megabyte BATCH is refused before anything is allocated.
   */
  public Frame read(InputStream in, FrameSeal seal, boolean handshakeOnly)
      throws IOException, ProtocolException {
    byte[] header = new byte[HEADER_BYTES];
    int first = in.read();
    if (first < 0) return null;
    header[0] = (byte) first;
    // Checked before waiting for the rest: a stranger speaking another protocol is refused at once.
    if (first != VERSION)
      throw new ProtocolException(Refusal.UNKNOWN_VERSION, "protocol version " + first);
    readFully(in, header, 1, HEADER_BYTES - 1, "header");
    ByteBuffer h = ByteBuffer.wrap(header);
    int version = h.get() & 0xff;
    if (version != VERSION)
      throw new ProtocolException(Refusal.UNKNOWN_VERSION, "protocol version " + version);
    int code = h.get() & 0xff;
    FrameType type = FrameType.of(code);
    if (type == null) throw new ProtocolException(Refusal.UNKNOWN_TYPE, "frame type " + code);
    if (handshakeOnly && !type.handshake() && type != FrameType.REFUSE) {
      throw new ProtocolException(
          Refusal.UNEXPECTED_FRAME, type + " frame before the peer proved the unit key");
    }
    int flags = h.getShort() & 0xffff;
    if ((flags & ~FLAG_SEALED) != 0)
      throw new ProtocolException(Refusal.MALFORMED, "flags " + flags);
    boolean sealed = flags == FLAG_SEALED;
    long length = h.getInt() & 0xffffffffL;
    // A sealed payload is the plaintext (bounded as ever) plus the tag.
    long max = limits.maxPayload(type) + (sealed ? FrameSeal.TAG_BYTES : 0);
    if (length > max) {
      throw new ProtocolException(
          Refusal.OVERSIZED, type + " payload of " + length + " bytes exceeds " + max);
    }
    long epoch = h.getLong();
    long seq = h.getLong();
    int expected = h.getInt();
    // A sealed payload is read into the connection's scratch buffer and opened into its own array.
    byte[] payload =
        sealed && seal != null ? seal.openScratch((int) length) : new byte[(int) length];
    readFully(in, payload, 0, (int) length, "payload");
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 24);
    crc.update(payload, 0, (int) length);
    if ((int) crc.getValue() != expected)
      throw new ProtocolException(Refusal.BAD_CHECKSUM, type + " frame checksum mismatch");
    if (seal != null && !sealed) {
      throw new ProtocolException(
          Refusal.UNSEALED,
          type + " frame in plaintext after a handshake that agreed to seal the stream");
    }
    if (seal == null && sealed) {
      throw new ProtocolException(
          Refusal.MALFORMED,
          "sealed " + type + " frame before the handshake, or on a connection that"
              + " agreed on plaintext");
    }
    if (sealed) payload = seal.open(header, payload, 0, (int) length);
    if (epoch < 0 || seq < 0)
      throw new ProtocolException(Refusal.MALFORMED, "negative epoch or sequence");
    return new Frame(type, epoch, seq, payload);
  }

  /** Decodes one plaintext frame from the whole of {@code bytes} (which must hold exactly one frame). */
  public Frame decode(byte[] bytes) throws ProtocolException {
    return decode(null, bytes);
  }

  /** Decodes one frame as {@link #read(InputStream, FrameSeal)} reads it from the whole of {@code bytes}. */
  public Frame decode(FrameSeal seal, byte[] bytes) throws ProtocolException {
    try {
      java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
      Frame f = read(in, seal);
      if (f == null) throw new ProtocolException(Refusal.TRUNCATED, "empty input");
      if (in.available() > 0)
        throw new ProtocolException(Refusal.MALFORMED, in.available() + " trailing bytes");
      return f;
    } catch (IOException e) {
      throw new ProtocolException(Refusal.TRUNCATED, e.getMessage());
    }
  }

  private static void readFully(InputStream in, byte[] b, int off, int len, String what)
      throws IOException, ProtocolException {
    while (len > 0) {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (EOFException e) {
        n = -1;
      }
      if (n < 0)
        throw new ProtocolException(Refusal.TRUNCATED, "stream ended inside the frame " + what);
      off += n;
      len -= n;
    }
  }
}
