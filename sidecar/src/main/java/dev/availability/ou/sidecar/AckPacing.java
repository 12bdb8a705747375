package dev.availability.ou.sidecar;

/**
 * When the standby sends its next ACK, and in Asynchronous mode when it writes and flushes what it received. In
 * Synchronous and Journal mode every record is flushed as soon as it arrives and acknowledged once durable: a write
 * waits for it. In Asynchronous mode nothing waits for the standby (the primary needs its ACKs for the lag it reports
 * and for how many bytes it may send from its log writer, {@link UnackedBytes}), so one flush and one ACK cover what
 * arrived within {@link #LAZY_NANOS} or {@link #LAZY_BYTES}, whichever comes first: fewer flushes competing with the
 * primary's on a shared disk, fewer ACKs to seal, send, open and count; the lag a quiet stream reports still reaches 0
 * within {@link #LAZY_NANOS} and a flush, and the bytes the primary counts unacknowledged stay under its budget. An
 * ACK still names only durable records. Pure: the caller passes the time; not thread-safe (used under the link's
 * output lock).
 */
final class AckPacing {
  /** The longest an Asynchronous ACK waits for more records to cover. */
  static final long LAZY_NANOS = 5_000_000;

  /**
   * The most an Asynchronous ACK leaves unacknowledged: a quarter of the primary's budget for sending from its log
   * writer (a quarter of the 1 MiB send buffer it asks for, {@link UnackedBytes}), so that the budget does not hold
   * it back even where the kernel grants less.
   */
  static final long LAZY_BYTES = UnackedBytes.SEND_BUFFER_BYTES / 16;

  /**
   * The sequence to acknowledge now, or -1: what is durable, but only as far as this session put records in the log,
   * beyond what was acknowledged already and below what the primary sends next.
   */
  static long ackable(long durable, long heldFromSession, long ackedSent, long sessionNextSeq) {
    long ack = Math.min(durable, heldFromSession);
    return ack > ackedSent && ack < sessionNextSeq ? ack : -1;
  }

  private long receivedBytes;
  private long bytesAtLastAck;
  private long lastAckNanos;

  /** Records of {@code bytes} bytes arrived from the primary. */
  void received(long bytes) {
    receivedBytes += bytes;
  }

  /** Whether an ACK of newly durable records goes out now ({@code lazy}: Asynchronous mode). */
  boolean due(boolean lazy, long nowNanos) {
    return !lazy
        || receivedBytes - bytesAtLastAck >= LAZY_BYTES
        || nowNanos - lastAckNanos >= LAZY_NANOS;
  }

  /** How long until a lazy ACK is due by time (0: now); the ACK loop sleeps at most this long. */
  long nanosUntilDue(boolean lazy, long nowNanos) {
    return lazy ? Math.max(0, LAZY_NANOS - (nowNanos - lastAckNanos)) : 0;
  }

  /**
   * How long the ACK loop sleeps: with nothing to acknowledge or flush, a heartbeat; else until due, and at least 1 ms
   * when only a flush is awaited (another thread may be running it; its durable() then acknowledges).
   */
  long loopWaitMillis(
      boolean toAck, boolean toCommit, boolean lazy, long nowNanos, long heartbeatMillis) {
    if (!toAck && !toCommit) return Math.max(1, heartbeatMillis);
    long millis = (nanosUntilDue(lazy, nowNanos) + 999_999) / 1_000_000;
    return toAck ? millis : Math.max(1, millis);
  }

  /** An ACK went out. */
  void sent(long nowNanos) {
    lastAckNanos = nowNanos;
    bytesAtLastAck = receivedBytes;
  }
}
