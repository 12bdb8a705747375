package dev.availability.ou.replication;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Payloads of the control frames, each with a strict decoder. */
public final class Messages {
  public static final int NONCE_BYTES = 32;
  public static final int MAC_BYTES = 32;
  public static final int MAX_NAME_BYTES = 253;
  public static final int MAX_MESSAGE_BYTES = 1024;

  private Messages() {}

  /** HELLO: the primary's nonce and member name; {@code wantsSeal}: whether it asks for a sealed stream (the proofs cover it). */
  public record Hello(byte[] nonce, String member, boolean wantsSeal) {
    public byte[] encode() {
      byte[] name = member.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(NONCE_BYTES + 2 + name.length + 1)
          .put(nonce)
          .putShort((short) name.length)
          .put(name)
          .put((byte) (wantsSeal ? 1 : 0))
          .array();
    }

    public static Hello decode(byte[] p) throws ProtocolException {
      return parse(p, b -> {
        byte[] nonce = take(b, NONCE_BYTES);
        int n = b.getShort() & 0xffff;
        if (n > MAX_NAME_BYTES)
          throw new ProtocolException(Refusal.MALFORMED, "member name of " + n + " bytes");
        String name = new String(take(b, n), StandardCharsets.UTF_8);
        return new Hello(nonce, name, flag(b));
      });
    }
  }

  /** CHALLENGE: the standby's nonce and its proof of the key. */
  public record Challenge(byte[] nonce, byte[] mac, boolean wantsSeal) {
    public byte[] encode() {
      return ByteBuffer.allocate(NONCE_BYTES + MAC_BYTES + 1)
          .put(nonce)
          .put(mac)
          .put((byte) (wantsSeal ? 1 : 0))
          .array();
    }

    public static Challenge decode(byte[] p) throws ProtocolException {
      return parse(p, b -> new Challenge(take(b, NONCE_BYTES), take(b, MAC_BYTES), flag(b)));
    }
  }

  private static boolean flag(ByteBuffer b) throws ProtocolException {
    int v = b.get();
    if (v != 0 && v != 1) throw new ProtocolException(Refusal.MALFORMED, "flag byte " + v);
    return v == 1;
  }

  /** AUTH: the primary's proof of the key. */
  public record Auth(byte[] mac) {
    public byte[] encode() {
      return mac.clone();
    }

    public static Auth decode(byte[] p) throws ProtocolException {
      return parse(p, b -> new Auth(take(b, MAC_BYTES)));
    }
  }

  /** POSITION: what the standby holds durably. */
  public record Position(long lastSeq, TermHistory history) {
    public byte[] encode() {
      byte[] h = history.encode();
      return ByteBuffer.allocate(8 + h.length).putLong(lastSeq).put(h).array();
    }

    public static Position decode(byte[] p) throws ProtocolException {
      return parse(p, b -> {
        long last = b.getLong();
        if (last < 0) throw new ProtocolException(Refusal.MALFORMED, "last sequence " + last);
        return new Position(last, TermHistory.decode(b));
      });
    }
  }

  /** START: the primary's plan. */
  public record Start(CatchUpPlan.Kind kind, long commonPrefix, long fromSeq) {
    public byte[] encode() {
      return ByteBuffer.allocate(17)
          .put((byte) kind.ordinal())
          .putLong(commonPrefix)
          .putLong(fromSeq)
          .array();
    }

    public static Start decode(byte[] p) throws ProtocolException {
      return parse(p, b -> {
        int k = b.get();
        if (k < 0 || k >= CatchUpPlan.Kind.values().length)
          throw new ProtocolException(Refusal.MALFORMED, "plan kind " + k);
        long c = b.getLong();
        long from = b.getLong();
        if (c < 0 || from < 1)
          throw new ProtocolException(Refusal.MALFORMED, "plan " + c + "/" + from);
        return new Start(CatchUpPlan.Kind.values()[k], c, from);
      });
    }
  }

  /** SNAPSHOT_BEGIN: the snapshot's sequence and size in bytes. */
  public record SnapshotBegin(long seq, long size) {
    public byte[] encode() {
      return ByteBuffer.allocate(16).putLong(seq).putLong(size).array();
    }

    public static SnapshotBegin decode(byte[] p) throws ProtocolException {
      return parse(p, b -> {
        long seq = b.getLong();
        long size = b.getLong();
        if (seq < 0 || size < 0)
          throw new ProtocolException(Refusal.MALFORMED, "snapshot " + seq + "/" + size);
        return new SnapshotBegin(seq, size);
      });
    }
  }

  /** HEARTBEAT: the sender's last and durable sequences, and its send time. */
  public record Heartbeat(long lastSeq, long durableSeq, long sentAtMillis) {
    public byte[] encode() {
      return ByteBuffer.allocate(24)
          .putLong(lastSeq)
          .putLong(durableSeq)
          .putLong(sentAtMillis)
          .array();
    }

    public static Heartbeat decode(byte[] p) throws ProtocolException {
      return parse(p, b -> new Heartbeat(b.getLong(), b.getLong(), b.getLong()));
    }
  }

  /**
   * REFUSE: why the sender ends the session. {@code epochProof}: a standby that refuses a primary for a
   * stale epoch proves its newer epoch with the unit key over the primary's nonce (empty otherwise), so a
   * stranger cannot depose a primary by claiming one.
   */
  public record Refuse(Refusal reason, String message, byte[] epochProof) {
    public Refuse(Refusal reason, String message) {
      this(reason, message, new byte[0]);
    }

    public byte[] encode() {
      byte[] m = message.getBytes(StandardCharsets.UTF_8);
      if (m.length > MAX_MESSAGE_BYTES) m = java.util.Arrays.copyOf(m, MAX_MESSAGE_BYTES);
      return ByteBuffer.allocate(3 + m.length + 1 + epochProof.length)
          .put((byte) reason.ordinal())
          .putShort((short) m.length)
          .put(m)
          .put((byte) epochProof.length)
          .put(epochProof)
          .array();
    }

    public static Refuse decode(byte[] p) throws ProtocolException {
      return parse(p, b -> {
        Refusal r = Refusal.ofCode(b.get());
        int n = b.getShort() & 0xffff;
        if (n > MAX_MESSAGE_BYTES)
          throw new ProtocolException(Refusal.MALFORMED, "refusal message of " + n);
        String message = new String(take(b, n), StandardCharsets.UTF_8);
        int proof = b.get() & 0xff;
        if (proof != 0 && proof != MAC_BYTES)
          throw new ProtocolException(Refusal.MALFORMED, "epoch proof of " + proof + " bytes");
        return new Refuse(r, message, take(b, proof));
      });
    }
  }

  interface Parser<T> {
    T parse(ByteBuffer b) throws ProtocolException;
  }

  static <T> T parse(byte[] p, Parser<T> parser) throws ProtocolException {
    ByteBuffer b = ByteBuffer.wrap(p);
    try {
      T t = parser.parse(b);
      if (b.hasRemaining())
        throw new ProtocolException(Refusal.MALFORMED, b.remaining() + " trailing payload bytes");
      return t;
    } catch (BufferUnderflowException e) {
      throw new ProtocolException(Refusal.MALFORMED, "payload too short");
    }
  }

  static byte[] take(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
