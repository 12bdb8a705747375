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
