package dev.availability.ou.replication;

/** Why a frame, a session or a stored byte range was refused. Typed, so tests and counters can name it. */
public enum Refusal {
  UNKNOWN_VERSION,
  UNKNOWN_TYPE,
  OVERSIZED,
  TRUNCATED,
  BAD_CHECKSUM,
  MALFORMED,
  BAD_AUTH,
  STALE_EPOCH,
  UNKNOWN_EPOCH,
  NOT_STANDBY,
  UNEXPECTED_FRAME,
  SEQUENCE_GAP,
  SUPERSEDED,
  INTERNAL,
  /** A sealed frame that does not authenticate: tampered, forged without the key, replayed, reordered or after a lost frame. */
  BAD_MAC,
  /** A plaintext frame after the handshake, where every frame must be sealed. */
  UNSEALED,
  /** The standby holds records of the primary's own epoch that the primary lost: the primary stops serving, the standby keeps them. */
  STANDBY_AHEAD,
  /**
   * The primary streams to another standby now (make-before-break's handover): this one no longer holds every
   * acknowledged write, so it must not call itself in sync when its stream ends.
   */
  DROPPED;

  private static final Refusal[] VALUES = values();

  public static Refusal ofCode(int code) {
    return code >= 0 && code < VALUES.length ? VALUES[code] : MALFORMED;
  }
}
