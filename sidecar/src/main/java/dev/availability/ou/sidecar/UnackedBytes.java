package dev.availability.ou.sidecar;

import java.util.ArrayDeque;

/**
 * The stream's bytes the standby has not acknowledged yet, so that an Asynchronous primary's log writer sends a
 * batch itself only when the socket write cannot block: bytes still in the sender's socket buffer are always
 * among the unacknowledged ones, so while these stay under a fraction of that buffer a write finds room at
 * once. A slow or stopped standby lets them grow past the limit; the link's own thread then sends, and waits
 * for the standby in the log writer's place. Not thread-safe: used under the link's send lock.
 */
final class UnackedBytes {
  /** A frame's bytes besides its payload: the header and the seal's tag. */
  static final int FRAME_BYTES = 40;

  /**
   * The socket's send buffer asked for (the kernel doubles it, or caps it at {@code net.core.wmem_max}). Fixed
   * rather than left to the kernel's autotuning, which starts at 16 KiB: the Asynchronous log writer's budget
   * for sending itself is a quarter of what the kernel grants.
   */
  static final int SEND_BUFFER_BYTES = 1 << 20;

  private final long limit;
  /** Per frame sent: the last sequence it carried and the bytes sent up to and including it. */
  private final ArrayDeque<long[]> sent = new ArrayDeque<>();

  private long sentTotal;
  private long ackedTotal;

  UnackedBytes(long limit) {
    this.limit = limit;
  }

  /** A frame carrying records up to {@code lastSeq} went out with {@code bytes} bytes. */
  void sent(long lastSeq, long bytes) {
    sentTotal += bytes;
    sent.addLast(new long[] {lastSeq, sentTotal});
  }

  /** Whether {@code bytes} more may go out now, the standby having acknowledged up to {@code ackedSeq}. */
  boolean allows(long ackedSeq, long bytes) {
    while (!sent.isEmpty() && sent.peekFirst()[0] <= ackedSeq) ackedTotal = sent.pollFirst()[1];
    return sentTotal - ackedTotal + bytes <= limit;
  }

  long unacked() {
    return sentTotal - ackedTotal;
  }
}
