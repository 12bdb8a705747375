package dev.availability.ou.sidecar;

/**
 * When the standby sends its next ACK. In Synchronous and Journal mode every newly durable record is acknowledged at
 * once: a write waits for it. In Asynchronous mode nothing waits for an ACK (the primary needs them for the lag it
 * reports and for how many bytes it may send from its log writer, {@link UnackedBytes}), so one ACK covers what became
 * durable within {@link #LAZY_NANOS} or {@link #LAZY_BYTES}, whichever comes first: the lag a quiet stream reports
 * still reaches 0 within {@link #LAZY_NANOS}, and the bytes the primary counts unacknowledged stay far under its
 * budget. Pure: the caller passes the time; not thread-safe (used under the link's output lock).
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

  /** An ACK went out. */
  void sent(long nowNanos) {
    lastAckNanos = nowNanos;
    bytesAtLastAck = receivedBytes;
  }
}
