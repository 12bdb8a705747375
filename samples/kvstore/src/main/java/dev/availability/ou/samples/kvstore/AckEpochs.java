package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.SidecarStatus;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The epoch an acknowledged write was acknowledged at, found from the log sequence the sidecar gave it.
 *
 * <p>The sidecar acknowledges a write with its sequence, not its epoch, and the role events the store
 * follows can reach it a moment after the sidecar changed role. "The epoch now" can therefore differ
 * from the write's. The sequence cannot: a primary starts each of its terms with a record at
 * {@code promotionSeq} and numbers its writes after it, and a change of role or epoch fails every write
 * still waiting. So a write belongs to the member's latest term that started before its sequence. That
 * was fixed when the write was ordered, and later answers do not change it.
 *
 * <p>The sidecar's STATUS names its latest term ({@code term}, as {@code epoch.incarnation}), where that
 * term started ({@code promotionSeq}) and its last sequence ({@code lastSeq}), all in one consistent
 * answer. An answer whose {@code lastSeq} reaches the write's sequence was taken after the write was
 * ordered, so it knows every term that started before it. Earlier terms are remembered from earlier
 * answers. When no usable answer comes (the sidecar just died), the epoch of the role the request was
 * admitted under is used.
 */
final class AckEpochs {
  private final Supplier<SidecarStatus> status;
  private final ReentrantLock lock =
      new ReentrantLock(); // not synchronized: requests run on virtual threads
  private final TreeMap<Long, Long> termStarts =
      new TreeMap<>(); // promotionSeq -> epoch of that term
  private long knownThrough =
      -1; // lastSeq of the latest answer: terms that began at or before it are known

  /** @param status asks the sidecar for its status now (may throw when it does not answer) */
  AckEpochs(Supplier<SidecarStatus> status) {
    this.status = status;
  }

  /**
   * The epoch of the term in which the write with sequence {@code seq} was ordered.
   *
   * @param admittedAt the epoch of the role the request was admitted under, used if the sidecar cannot tell
   */
  long epochOf(long seq, long admittedAt) {
    lock.lock();
    try {
      // One status answer covers every write ordered before it: concurrent acknowledgements share
      // it.
      if (seq > knownThrough) learn();
      if (seq > knownThrough) return admittedAt;
      Map.Entry<Long, Long> term = termStarts.lowerEntry(seq);
      return term == null ? admittedAt : term.getValue();
    } finally {
      lock.unlock();
    }
  }

  private void learn() {
    SidecarStatus s;
    try {
      s = status.get();
    } catch (RuntimeException e) {
      return;
    }
    long epoch = termEpoch(s);
    if (epoch > 0) termStarts.put(s.number("promotionSeq"), epoch);
    knownThrough = s.lastSeq();
  }

  /** The epoch of the member's latest term as primary, or 0 when it has not been one. */
  static long termEpoch(SidecarStatus s) {
    String term = s.fields().get("term");
    if (term != null && !term.isBlank()) {
      int dot = term.indexOf('.');
      return Long.parseLong(dot < 0 ? term : term.substring(0, dot));
    }
    return s.role() == MemberRole.PRIMARY
        ? s.epoch()
        : 0; // a sidecar that does not report its term
  }
}
