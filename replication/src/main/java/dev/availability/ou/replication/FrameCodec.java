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
 *   u8  version (1)      u8 type      u16 flags (0)
 *   u32 payload length
 *   u64 epoch
 *   u64 sequence
 *   u32 CRC32C over the first 24 header bytes and the payload
 * </pre>
 * The length is checked against the per-type bound before anything is allocated, so a hostile
 * length cannot make the reader allocate.
 */
public final class FrameCodec {
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 28;

  private final Limits limits;

  public FrameCodec(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** The frame's bytes, header and payload. */
  public byte[] encode(Frame f) {
    byte[] out = new byte[HEADER_BYTES + f.payload().length];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put((byte) VERSION).put((byte) f.type().code()).putShort((short) 0).putInt(f.payload().length)
        .putLong(f.epoch()).putLong(f.seq());
    CRC32C crc = new CRC32C();
    crc.update(out, 0, 24);
    crc.update(f.payload());
    b.putInt((int) crc.getValue());
    b.put(f.payload());
    return out;
  }

  /** Writes the frame (not flushed). */
  public void write(OutputStream out, Frame f) throws IOException {
    write(out, f.type(), f.epoch(), f.seq(), f.payload(), 0, f.payload().length);
  }

  /**
   * Writes a frame whose payload is a slice of {@code bytes} (not flushed): the streaming path sends the
   * log writer's buffer this way, without copying it into a frame first.
   */
  public void write(OutputStream out, FrameType type, long epoch, long seq, byte[] bytes, int off, int len) throws IOException {
    byte[] header = new byte[HEADER_BYTES];
    ByteBuffer b = ByteBuffer.wrap(header);
    b.put((byte) VERSION).put((byte) type.code()).putShort((short) 0).putInt(len).putLong(epoch).putLong(seq);
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 24);
    crc.update(bytes, off, len);
    b.putInt((int) crc.getValue());
    out.write(header);
    out.write(bytes, off, len);
  }

  /**
   * Reads one frame. Returns null on a clean end of stream before any header byte; throws a
   * {@link ProtocolException} for anything malformed (including a stream that ends mid-frame).
   */
  public Frame read(InputStream in) throws IOException, ProtocolException {
    byte[] header = new byte[HEADER_BYTES];
    int first = in.read();
    if (first < 0) return null;
    header[0] = (byte) first;
    // Checked before waiting for the rest: a stranger speaking another protocol is refused at once.
    if (first != VERSION) throw new ProtocolException(Refusal.UNKNOWN_VERSION, "protocol version " + first);
    readFully(in, header, 1, HEADER_BYTES - 1, "header");
    ByteBuffer h = ByteBuffer.wrap(header);
    int version = h.get() & 0xff;
    if (version != VERSION) throw new ProtocolException(Refusal.UNKNOWN_VERSION, "protocol version " + version);
    int code = h.get() & 0xff;
    FrameType type = FrameType.of(code);
    if (type == null) throw new ProtocolException(Refusal.UNKNOWN_TYPE, "frame type " + code);
    int flags = h.getShort() & 0xffff;
    if (flags != 0) throw new ProtocolException(Refusal.MALFORMED, "flags " + flags);
    long length = h.getInt() & 0xffffffffL;
    if (length > limits.maxPayload(type)) {
      throw new ProtocolException(Refusal.OVERSIZED, type + " payload of " + length + " bytes exceeds " + limits.maxPayload(type));
    }
    long epoch = h.getLong();
    long seq = h.getLong();
    int expected = h.getInt();
    byte[] payload = new byte[(int) length];
    readFully(in, payload, 0, payload.length, "payload");
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 24);
    crc.update(payload);
    if ((int) crc.getValue() != expected) throw new ProtocolException(Refusal.BAD_CHECKSUM, type + " frame checksum mismatch");
    if (epoch < 0 || seq < 0) throw new ProtocolException(Refusal.MALFORMED, "negative epoch or sequence");
    return new Frame(type, epoch, seq, payload);
  }

  /** Decodes one frame from the whole of {@code bytes} (which must hold exactly one frame). */
  public Frame decode(byte[] bytes) throws ProtocolException {
    try {
      java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
      Frame f = read(in);
      if (f == null) throw new ProtocolException(Refusal.TRUNCATED, "empty input");
      if (in.available() > 0) throw new ProtocolException(Refusal.MALFORMED, in.available() + " trailing bytes");
      return f;
    } catch (IOException e) {
      throw new ProtocolException(Refusal.TRUNCATED, e.getMessage());
    }
  }

  private static void readFully(InputStream in, byte[] b, int off, int len, String what) throws IOException, ProtocolException {
    while (len > 0) {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (EOFException e) {
        n = -1;
      }
      if (n < 0) throw new ProtocolException(Refusal.TRUNCATED, "stream ended inside the frame " + what);
      off += n;
      len -= n;
    }
  }
}
