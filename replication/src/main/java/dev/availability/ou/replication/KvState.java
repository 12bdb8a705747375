package dev.availability.ou.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The replicated state machine: keys with byte values, and the stimuli that began and have not ended
 * (the journal). Applying the log in sequence order on any member yields the same state.
 * Reads are safe from any thread; {@link #apply} comes from one thread at a time.
 */
public final class KvState {
  /** What an entry costs in the heap besides its key and value: map node and index, key object, array headers. */
  public static final int ENTRY_OVERHEAD_BYTES = 100;

  private final ConcurrentSkipListMap<Key, byte[]> data = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<Key, Long> open = new ConcurrentSkipListMap<>();
  private volatile long appliedSeq;
  private volatile long
      applyingSeq; // set before a record touches the maps: a reader that saw its effect sees it
  private volatile long bytes; // written by the one applying thread

  public KvState(long appliedSeq) {
    this.appliedSeq = appliedSeq;
    this.applyingSeq = appliedSeq;
  }

  public long appliedSeq() {
    return appliedSeq;
  }

  /** Applies the next record; sequences must follow on. */
  public void apply(LogRecord r) {
    if (r.seq() != appliedSeq + 1)
      throw new IllegalStateException("apply " + r.seq() + " after " + appliedSeq);
    applyingSeq = r.seq();
    switch (r.type()) {
      case PUT -> put(Key.wrap(r.key()), r.value());
      case DELETE -> {
        byte[] old = data.remove(Key.wrap(r.key()));
        if (old != null) bytes -= entryBytes(r.key(), old);
      }
      case BEGIN -> open.put(Key.wrap(r.key()), r.seq());
      case END -> open.remove(Key.wrap(r.key()));
      case TERM_START -> {}
    }
    appliedSeq = r.seq();
  }

  /**
   * The newest sequence whose effect a reader of the maps may have seen: read after a pass over
   * {@link #entries}, every value the pass saw comes from a record at or before it.
   */
  public long applyingSeq() {
    return applyingSeq;
  }

  /** The live entries in key order; weakly consistent (a pass sees each key once, at some value it had meanwhile). */
  public Iterable<Map.Entry<Key, byte[]>> entries() {
    return data.entrySet();
  }

  /** The live open stimuli, weakly consistent like {@link #entries}. */
  public Iterable<Map.Entry<Key, Long>> openEntries() {
    return open.entrySet();
  }

  public byte[] get(Key k) {
    return data.get(k);
  }

  public int size() {
    return data.size();
  }

  /** The heap the keys and values take, {@link #ENTRY_OVERHEAD_BYTES} per entry included. */
  public long bytes() {
    return bytes;
  }

  private void put(Key k, byte[] v) {
    byte[] old = data.put(k, v);
    bytes += entryBytes(k.bytes(), v) - (old == null ? 0 : entryBytes(k.bytes(), old));
  }

  private static long entryBytes(byte[] key, byte[] value) {
    return (long) key.length + value.length + ENTRY_OVERHEAD_BYTES;
  }

  /** Up to {@code limit} entries with keys strictly after {@code after} (null: from the start). */
  public List<Map.Entry<Key, byte[]>> scan(Key after, int limit) {
    NavigableMap<Key, byte[]> view = after == null ? data : data.tailMap(after, false);
    List<Map.Entry<Key, byte[]>> out = new ArrayList<>(Math.min(limit, 1024));
    for (Map.Entry<Key, byte[]> e : view.entrySet()) {
      if (out.size() >= limit) break;
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** Stimuli that began and never ended, with the sequence of their BEGIN, oldest first by id. */
  public Map<Key, Long> openStimuli() {
    return Map.copyOf(open);
  }

  void restore(Key k, byte[] v) {
    put(k, v);
  }

  void restoreOpen(Key id, long seq) {
    open.put(id, seq);
  }
}
