package dev.availability.ou.sidecar;

/**
 * One standby's stream as its primary sees it: whether a session is on, the position it acknowledged, and the
 * catch-up target told it when the session started. A primary has one for its peer and, while a new standby catches up
 * (make-before-break, {@link WriteAcknowledgements#standbys}), one for its next peer. Each is bound to the endpoint it
 * was made for: a link streams into it only while it is still its primary's peer or next peer for that endpoint, so a
 * link that outlived a reassignment cannot move the acknowledgements of its successor.
 */
final class StandbyAcks {
  private final String endpoint;
  private final Runnable progressed;
  private volatile long acked = -1;
  private volatile boolean required;
  private volatile boolean connected;
  // The primary's last sequence when the session started: the standby calls itself in sync once it
  // holds it.
  private volatile long catchUpTarget = Long.MAX_VALUE;

  /** {@code progressed}: runs when the standby holds more (waiting writes may complete). */
  StandbyAcks(String endpoint, Runnable progressed) {
    this.endpoint = endpoint;
    this.progressed = progressed;
  }

  String endpoint() {
    return endpoint;
  }

  /**
   * The session is planned (log or snapshot); the standby will call itself in sync once it holds {@code target}, the
   * position the primary tells it first. From now on writes wait for it (a peer's from its plan, a next peer's from
   * when it caught up: {@link WriteAcknowledgements#requireNext}).
   */
  void sessionStarting(long target) {
    catchUpTarget = target;
    required = true;
  }

  /** The session streams from the log: the standby holds up to {@code holdsUpTo}. */
  void sessionStarted(long holdsUpTo) {
    acked = holdsUpTo;
    connected = true;
    progressed.run();
  }

  /**
   * A next peer caught up with the live stream: from now on writes wait for it; its catch-up target is read after
   * that ({@code target}), under the acknowledgements' lock (see {@link WriteAcknowledgements#requireNext}).
   */
  long require(java.util.function.LongSupplier target) {
    required = true;
    connected = true;
    long t = target.getAsLong();
    catchUpTarget = t;
    return t;
  }

  void acked(long seq) {
    if (seq > acked) acked = seq;
    progressed.run();
  }

  /**
   * The session ended: it is no longer caught up. A next peer that writes waited for is still waited for, as an
   * unreachable peer is, until the assignment drops it: its stream ended while it held every acknowledged write, so it
   * goes on calling itself in sync (the standby's {@code heldAllAtLoss}) and may be made the peer or promoted on that
   * word. Acknowledging through the peer alone from here would make that word false.
   */
  void disconnected() {
    connected = false;
    catchUpTarget = Long.MAX_VALUE;
    progressed.run();
  }

  long ackedSeq() {
    return acked;
  }

  boolean connected() {
    return connected;
  }

  /** Whether writes wait for it: a next peer's acknowledgement counts only then. */
  boolean required() {
    return required;
  }

  /** It holds what this primary held when its session started: it calls itself in sync (and reports so). */
  boolean caughtUp() {
    return connected && acked >= catchUpTarget;
  }
}
