package dev.availability.ou.replication;

/** The kinds of replication frames. The code is what travels on the wire; unknown codes are refused. */
public enum FrameType {
  /** Primary to standby: opens a session (nonce, member name) at the primary's epoch. */
  HELLO(1),
  /** Standby to primary: the standby's nonce and its proof of the unit key. */
  CHALLENGE(2),
  /** Primary to standby: the primary's proof of the unit key. */
  AUTH(3),
  /** Standby to primary: its last durable sequence and term history. */
  POSITION(4),
  /** Primary to standby: the catch-up plan (stream from, truncate to, or snapshot first). */
  START(5),
  /** Primary to standby: a snapshot follows (sequence, size). */
  SNAPSHOT_BEGIN(6),
  /** Primary to standby: a piece of the snapshot file. */
  SNAPSHOT_CHUNK(7),
  /** Primary to standby: the snapshot is complete (its checksum). */
  SNAPSHOT_END(8),
  /** Primary to standby: encoded log records; the frame's sequence is the first record's. */
  BATCH(9),
  /** Standby to primary: every record up to the frame's sequence is durable on the standby. */
  ACK(10),
  /** Either way: liveness, with the sender's positions. */
  HEARTBEAT(11),
  /** Either way: the session is refused or ended, with a reason. */
  REFUSE(12);

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** HELLO, CHALLENGE and AUTH travel in plaintext: the connection's keys exist only once they are checked. */
  public boolean handshake() {
    return this == HELLO || this == CHALLENGE || this == AUTH;
  }

  private static final FrameType[] BY_CODE = new FrameType[16];

  static {
    for (FrameType t : values()) BY_CODE[t.code] = t;
  }

  /** The type for a wire code, or null when the code is unknown. */
  public static FrameType of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
