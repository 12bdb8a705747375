package dev.availability.ou.e2e.client;

/**
 * One write the load client tried: a unique key and value, when it started and ended (the client's
 * {@link System#nanoTime()}), and its outcome. An acknowledged write also names the member and the epoch
 * that acknowledged it (the sample store's {@code OU-Member} and {@code OU-Epoch} headers).
 *
 * @param writer the writer thread that tried it
 * @param key the key written
 * @param value the value written
 * @param startNanos just before the request was sent
 * @param endNanos when its answer (or failure) was known
 * @param acked whether the store acknowledged it (HTTP 200)
 * @param failure for a failed write, what kind of failure ({@code timeout}, {@code http 503}, {@code connect}, …); else null
 * @param detail for a failed write, the failure in words (the store's answer or the exception); else null
 * @param member for an acknowledged write, the member that acknowledged it (null when it did not say)
 * @param epoch for an acknowledged write, the epoch it was acknowledged at ({@link #NO_EPOCH} when it did not say)
 */
public record Attempt(
    int writer,
    String key,
    String value,
    long startNanos,
    long endNanos,
    boolean acked,
    String failure,
    String detail,
    String member,
    long epoch) {
  /** The epoch of an attempt without one. */
  public static final long NO_EPOCH = -1;

  public static Attempt acked(
      int writer,
      String key,
      String value,
      long startNanos,
      long endNanos,
      String member,
      long epoch) {
    return new Attempt(writer, key, value, startNanos, endNanos, true, null, null, member, epoch);
  }

  public static Attempt failed(
      int writer,
      String key,
      String value,
      long startNanos,
      long endNanos,
      String failure,
      String detail) {
    return new Attempt(
        writer, key, value, startNanos, endNanos, false, failure, detail, null, NO_EPOCH);
  }

  /** Whether an acknowledged write named both its member and its epoch. */
  public boolean identified() {
    return member != null && !member.isBlank() && epoch != NO_EPOCH;
  }
}
