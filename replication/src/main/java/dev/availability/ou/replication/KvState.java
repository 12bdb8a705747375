package dev.availability.ou.replication;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The replicated state machine: keys with byte values, and the stimuli that began and have not ended
 * (the journal). Applying the log in sequence order on any member yields the same state.
 * Reads are safe from any thread; {@link #apply} comes from one thread at a time.
 *
 * <p>A put whose value has the length of the key's current one overwrites that value's array in place rather
 * than replacing it. A key set rewritten faster than the young generation is collected (every write of a small
 * state) otherwise has its whole state copied out of the young generation at each young collection and promoted,
 * which fills the old generation and costs a full collection every few young ones (measured: 2 a second, 30 ms
 * each, in a sidecar taking 7,000 writes/s of 4 KiB over 1,920 keys). Overwritten in place, the value stays
 * where it is and each write's new array dies young. Readers therefore never get a stored array: {@link #get},
 * {@link #entries} and {@link #scan} hand out copies taken under {@link #valueLock}, which the overwrite holds.
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
  /** Held while a stored value is overwritten in place and while a reader copies one: no reader sees half of each. */
  private final Object valueLock = new Object();

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

  /**
   * The live entries in key order, each value a copy; weakly consistent (a pass sees each key once, at some
   * value it had meanwhile).
   */
  public Iterable<Map.Entry<Key, byte[]>> entries() {
    return () -> new Iterator<>() {
      private final Iterator<Map.Entry<Key, byte[]>> live = data.entrySet().iterator();

      @Override
      public boolean hasNext() {
        return live.hasNext();
      }

      @Override
      public Map.Entry<Key, byte[]> next() {
        Map.Entry<Key, byte[]> e = live.next();
        return Map.entry(e.getKey(), copy(e.getValue()));
      }
    };
  }

  /** The live open stimuli, weakly consistent like {@link #entries}. */
  public Iterable<Map.Entry<Key, Long>> openEntries() {
    return open.entrySet();
  }

  /** A copy of the key's value; null when it has none. */
  public byte[] get(Key k) {
    byte[] v = data.get(k);
    return v == null ? null : copy(v);
  }

  private byte[] copy(byte[] stored) {
    synchronized (valueLock) {
      return stored.clone();
    }
  }

  public int size() {
    return data.size();
  }

  /** The heap the keys and values take, {@link #ENTRY_OVERHEAD_BYTES} per entry included. */
  public long bytes() {
    return bytes;
  }

  private void put(Key k, byte[] v) {
    byte[] current = data.get(k);
    if (current != null && current.length == v.length) {
      synchronized (valueLock) {
        System.arraycopy(v, 0, current, 0, v.length);
      }
      return; // same size: the byte count stands
    }
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
      out.add(Map.entry(e.getKey(), copy(e.getValue())));
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
