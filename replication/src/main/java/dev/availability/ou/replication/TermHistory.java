package dev.availability.ou.replication;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where each term begins along a log: an ascending list of (term, first sequence). Two members'
 * histories tell how far their logs agree, because a (sequence, term) pair names one entry.
 */
public final class TermHistory {
  public static final int MAX_ENTRIES = 8192;

  /** One term's start. */
  public record Start(long term, long seq) {}

  private final List<Start> starts = new ArrayList<>();

  public TermHistory() {}

  public TermHistory(List<Start> starts) {
    for (Start s : starts) note(s.term(), s.seq());
  }

  public synchronized List<Start> starts() {
    return List.copyOf(starts);
  }

  public synchronized TermHistory copy() {
    return new TermHistory(starts);
  }

  /** Records that {@code seq} carries {@code term}; a new entry only when the term changes. */
  public synchronized void note(long term, long seq) {
    if (!starts.isEmpty()) {
      Start last = starts.get(starts.size() - 1);
      if (last.term() == term) return;
      if (term < last.term() || seq <= last.seq()) {
        throw new IllegalArgumentException("term " + Terms.format(term) + "@" + seq
            + " does not follow " + Terms.format(last.term()) + "@" + last.seq());
      }
    }
    if (starts.size() >= MAX_ENTRIES) starts.remove(0);
    starts.add(new Start(term, seq));
  }

  /** The term of the entry at {@code seq}, or 0 when none is known. */
  public synchronized long termAt(long seq) {
    long term = 0;
    for (Start s : starts) {
      if (s.seq() > seq) break;
      term = s.term();
    }
    return term;
  }

  public synchronized long lastTerm() {
    return starts.isEmpty() ? 0 : starts.get(starts.size() - 1).term();
  }

  /** Forgets terms that start after {@code seq} (the log was cut after it). */
  public synchronized void truncateAfter(long seq) {
    starts.removeIf(s -> s.seq() > seq);
  }

  /**
   * The last sequence up to which a log with this history (ending at {@code myLast}) and another
   * (ending at {@code otherLast}) hold the same entries.
   */
  public long commonPrefix(long myLast, TermHistory other, long otherLast) {
    long limit = Math.min(myLast, otherLast);
    if (limit <= 0) return 0;
    TreeSet<Long> boundaries = new TreeSet<>();
    boundaries.add(1L);
    for (Start s : starts()) if (s.seq() <= limit) boundaries.add(s.seq());
    for (Start s : other.starts()) if (s.seq() <= limit) boundaries.add(s.seq());
    for (long b : boundaries) {
      if (termAt(b) != other.termAt(b)) return b - 1;
    }
    return limit;
  }

  public byte[] encode() {
    List<Start> copy = starts();
    ByteBuffer b = ByteBuffer.allocate(4 + 16 * copy.size());
    b.putInt(copy.size());
    for (Start s : copy) b.putLong(s.term()).putLong(s.seq());
    return b.array();
  }

  public static TermHistory decode(ByteBuffer b) throws ProtocolException {
    if (b.remaining() < 4) throw new ProtocolException(Refusal.MALFORMED, "term history cut");
    int n = b.getInt();
    if (n < 0 || n > MAX_ENTRIES || b.remaining() < 16L * n)
      throw new ProtocolException(Refusal.MALFORMED, "term history of " + n + " entries");
    TermHistory h = new TermHistory();
    try {
      for (int i = 0; i < n; i++) h.note(b.getLong(), b.getLong());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(Refusal.MALFORMED, e.getMessage());
    }
    return h;
  }

  @Override
  public synchronized String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (Start s : starts)
      sb.append(sb.length() > 1 ? ", " : "")
          .append(Terms.format(s.term()))
          .append('@')
          .append(s.seq());
    return sb.append(']').toString();
  }
}
