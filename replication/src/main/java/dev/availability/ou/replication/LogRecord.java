package dev.availability.ou.replication;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One entry of the append-only log, identical on disk and inside BATCH frames. Layout (big-endian):
 * <pre>
 *   u32 body length     u32 CRC32C of the body
 *   body: u64 seq, u64 term, u8 type, payload
 *   payload: PUT: u16 key length, key, value (the rest) | DELETE, BEGIN, END: key or id (the rest) | TERM_START: empty
 * </pre>
 * The term is the epoch the operator assigned, shifted left 16 bits, plus the primary's incarnation in
 * that epoch ({@link Terms}), so two entries with the same sequence and term are the same entry.
 */
public record LogRecord(long seq, long term, RecordType type, byte[] key, byte[] value) {
  public static final int HEADER_BYTES = 8;
  static final int BODY_FIXED = 17;

  public LogRecord {
    if (key == null) key = new byte[0];
  }

  public static LogRecord put(long seq, long term, byte[] key, byte[] value) {
    return new LogRecord(seq, term, RecordType.PUT, key, value);
  }

  public static LogRecord delete(long seq, long term, byte[] key) {
    return new LogRecord(seq, term, RecordType.DELETE, key, null);
  }

  public static LogRecord marker(long seq, long term, RecordType type, byte[] id) {
    return new LogRecord(seq, term, type, id, null);
  }

  public int encodedSize() {
    return HEADER_BYTES + BODY_FIXED + payloadSize();
  }

  private int payloadSize() {
    return switch (type) {
      case PUT -> 2 + key.length + value.length;
      case TERM_START -> 0;
      default -> key.length;
    };
  }

  /** Appends the encoded record to {@code b}. */
  public void encodeTo(ByteBuffer b) {
    int start = b.position();
    int bodyLen = BODY_FIXED + payloadSize();
    b.putInt(bodyLen).putInt(0).putLong(seq).putLong(term).put((byte) type.code());
    switch (type) {
      case PUT -> b.putShort((short) key.length).put(key).put(value);
      case TERM_START -> {}
      default -> b.put(key);
    }
    CRC32C crc = new CRC32C();
    if (b.hasArray()) {
      crc.update(b.array(), b.arrayOffset() + start + HEADER_BYTES, bodyLen);
    } else {
      ByteBuffer body =
          b.duplicate().position(start + HEADER_BYTES).limit(start + HEADER_BYTES + bodyLen);
      crc.update(body);
    }
    b.putInt(start + 4, (int) crc.getValue());
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(encodedSize());
    encodeTo(b);
    return b.array();
  }

  /**
   * Decodes the record at {@code off}; {@code end} bounds the readable bytes. Throws TRUNCATED when the
   * bytes end inside the record, BAD_CHECKSUM, OVERSIZED or MALFORMED otherwise.
   */
  public static LogRecord decode(byte[] buf, int off, int end, Limits limits)
      throws ProtocolException {
    if (end - off < HEADER_BYTES)
      throw new ProtocolException(Refusal.TRUNCATED, "record header cut at offset " + off);
    ByteBuffer b = ByteBuffer.wrap(buf, off, end - off);
    long bodyLen = b.getInt() & 0xffffffffL;
    int expected = b.getInt();
    if (bodyLen < BODY_FIXED)
      throw new ProtocolException(Refusal.MALFORMED, "record body of " + bodyLen + " bytes");
    if (bodyLen + HEADER_BYTES > limits.maxRecordBytes())
      throw new ProtocolException(Refusal.OVERSIZED, "record of " + bodyLen + " bytes");
    if (end - off - HEADER_BYTES < bodyLen)
      throw new ProtocolException(Refusal.TRUNCATED, "record body cut at offset " + off);
    CRC32C crc = new CRC32C();
    crc.update(buf, off + HEADER_BYTES, (int) bodyLen);
    if ((int) crc.getValue() != expected)
      throw new ProtocolException(
          Refusal.BAD_CHECKSUM, "record checksum mismatch at offset " + off);
    long seq = b.getLong();
    long term = b.getLong();
    RecordType type = RecordType.of(b.get() & 0xff);
    if (type == null)
      throw new ProtocolException(Refusal.MALFORMED, "unknown record type at offset " + off);
    if (seq <= 0 || term < 0)
      throw new ProtocolException(Refusal.MALFORMED, "record sequence " + seq + " term " + term);
    int payloadLen = (int) bodyLen - BODY_FIXED;
    int p = off + HEADER_BYTES + BODY_FIXED;
    switch (type) {
      case PUT -> {
        if (payloadLen < 2)
          throw new ProtocolException(Refusal.MALFORMED, "PUT without key length");
        int keyLen = b.getShort() & 0xffff;
        if (keyLen > limits.maxKeyBytes() || keyLen > payloadLen - 2)
          throw new ProtocolException(Refusal.MALFORMED, "PUT key length " + keyLen);
        int valueLen = payloadLen - 2 - keyLen;
        if (valueLen > limits.maxValueBytes())
          throw new ProtocolException(Refusal.OVERSIZED, "value of " + valueLen + " bytes");
        return new LogRecord(
            seq,
            term,
            type,
            Arrays.copyOfRange(buf, p + 2, p + 2 + keyLen),
            Arrays.copyOfRange(buf, p + 2 + keyLen, p + payloadLen));
      }
      case TERM_START -> {
        if (payloadLen != 0)
          throw new ProtocolException(Refusal.MALFORMED, "TERM_START with payload");
        return new LogRecord(seq, term, type, new byte[0], null);
      }
      default -> {
        if (payloadLen > limits.maxKeyBytes())
          throw new ProtocolException(Refusal.OVERSIZED, type + " key of " + payloadLen + " bytes");
        return new LogRecord(seq, term, type, Arrays.copyOfRange(buf, p, p + payloadLen), null);
      }
    }
  }

  /** Size of the encoded record starting at {@code off} (header included), read from its length field. */
  public static int sizeAt(byte[] buf, int off) {
    return HEADER_BYTES + (int) (ByteBuffer.wrap(buf, off, 4).getInt() & 0xffffffffL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r
        && r.seq == seq
        && r.term == term
        && r.type == type
        && Arrays.equals(r.key, key)
        && Arrays.equals(r.value, value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return type + "#" + seq + "@" + Terms.format(term);
  }
}
