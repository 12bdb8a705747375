package dev.availability.ou.sidecar;

/**
 * When a primary dials its standby again. A refused connection is a host that answers with no sidecar listening yet,
 * and a new standby's sidecar starting may still refuse or time out a session: retrying costs little, and a
 * Synchronous primary that may not acknowledge alone waits for exactly that standby, so such attempts are repeated
 * every 100 ms (a refusal, or within {@link #QUICK_NANOS} of a new endpoint); other failures back off up to a second.
 * Pure: times are {@link System#nanoTime()} readings passed in.
 */
final class PeerRetry {
  /** For this long after it was given a new standby's endpoint, the primary tries it every 100 ms at most. */
  static final long QUICK_NANOS = 10_000_000_000L;

  private String endpoint;
  private long since;
  private long backoff = 50;

  /** Before dialling {@code ep}: a new standby is tried at once. */
  void dialling(String ep, long nowNanos) {
    if (ep.equals(endpoint)) return;
    endpoint = ep;
    since = nowNanos;
    backoff = 50;
  }

  /** A session was held (and has ended): the next failure backs off from the start. */
  void connected() {
    backoff = 50;
  }

  /** How long to wait before dialling again, after a session that failed ({@code refused}: nothing listened) or ended. */
  long delay(boolean refused, long nowNanos) {
    boolean quick = refused || nowNanos - since < QUICK_NANOS;
    long d = quick ? Math.min(100, backoff) : backoff;
    backoff = Math.min(1000, backoff * 2);
    return d;
  }
}
