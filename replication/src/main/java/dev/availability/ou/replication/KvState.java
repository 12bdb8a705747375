package dev.availability.ou.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The replicated state machine: keys with byte values, and the stimuli that began and have not ended
 * (the journal). Applying the log in sequence order on any member yields the same state.
 * Reads are safe from any thread; {@link #apply} comes from one thread at a time.
 *
 * <p>Values live outside the Java heap ({@link ValueSlabs}); the map holds where. A block freed by a
 * rewrite may be reused at once, so readers copy a value optimistically and retry when the state's lock
 * says an apply ran meanwhile; while a snapshot {@link Image} is open, freed blocks wait until it closes.
 */
public final class KvState {
  private final ConcurrentSkipListMap<Key, Object> data = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<Key, Long> open = new ConcurrentSkipListMap<>();
  private final ValueSlabs values = new ValueSlabs();
  /** Changes whenever a value leaves the map, so an optimistic reader knows its block may be reused. */
  private final StampedLock changes = new StampedLock();
  private final Object imageLock = new Object();
  private int openImages; // guarded by imageLock
  private final List<Object> freedWhileImaged = new ArrayList<>(); // guarded by imageLock
  private volatile boolean releaseFreed;
  private volatile long appliedSeq;

  public KvState(long appliedSeq) {
    this.appliedSeq = appliedSeq;
  }

  public long appliedSeq() {
    return appliedSeq;
  }

  /** Applies the next record; sequences must follow on. */
  public void apply(LogRecord r) {
    if (r.seq() != appliedSeq + 1) throw new IllegalStateException("apply " + r.seq() + " after " + appliedSeq);
    switch (r.type()) {
      case PUT -> put(Key.wrap(r.key()), r.value());
      case DELETE -> remove(Key.wrap(r.key()));
      case BEGIN -> open.put(Key.wrap(r.key()), r.seq());
      case END -> open.remove(Key.wrap(r.key()));
      case TERM_START -> { }
    }
    appliedSeq = r.seq();
  }

  private void put(Key k, byte[] value) {
    Object stored = values.store(value);
    long stamp = changes.writeLock();
    Object old;
    try {
      old = data.put(k, stored);
    } finally {
      changes.unlockWrite(stamp);
    }
    free(old);
  }

  private void remove(Key k) {
    long stamp = changes.writeLock();
    Object old;
    try {
      old = data.remove(k);
    } finally {
      changes.unlockWrite(stamp);
    }
    free(old);
  }

  /** On the applying thread: frees a block nobody can reach any more, or keeps it while an image may read it. */
  private void free(Object old) {
    if (releaseFreed) {
      synchronized (imageLock) {
        if (openImages == 0) {
          for (Object o : freedWhileImaged) values.free(o);
          freedWhileImaged.clear();
          releaseFreed = false;
        }
      }
    }
    if (old == null) return;
    synchronized (imageLock) {
      if (openImages > 0) {
        freedWhileImaged.add(old);
        return;
      }
    }
    values.free(old);
  }

  public byte[] get(Key k) {
    long stamp = changes.tryOptimisticRead();
    Object stored = data.get(k);
    byte[] v = stored == null ? null : values.read(stored);
    if (changes.validate(stamp)) return v;
    stamp = changes.readLock();
    try {
      stored = data.get(k);
      return stored == null ? null : values.read(stored);
    } finally {
      changes.unlockRead(stamp);
    }
  }

  public int size() {
    return data.size();
  }

  /** Direct memory holding the values (see {@link ValueSlabs}). */
  public long valueBytesReserved() {
    return values.reservedBytes();
  }

  /** Up to {@code limit} entries with keys strictly after {@code after} (null: from the start). */
  public List<Map.Entry<Key, byte[]>> scan(Key after, int limit) {
    long stamp = changes.readLock();
    try {
      NavigableMap<Key, Object> view = after == null ? data : data.tailMap(after, false);
      List<Map.Entry<Key, byte[]>> out = new ArrayList<>(Math.min(limit, 1024));
      for (Map.Entry<Key, Object> e : view.entrySet()) {
        if (out.size() >= limit) break;
        out.add(Map.entry(e.getKey(), values.read(e.getValue())));
      }
      return out;
    } finally {
      changes.unlockRead(stamp);
    }
  }

  /** Stimuli that began and never ended, with the sequence of their BEGIN, oldest first by id. */
  public Map<Key, Long> openStimuli() {
    return Map.copyOf(open);
  }

  void restore(Key k, byte[] v) {
    data.put(k, values.store(v));
  }

  void restoreOpen(Key id, long seq) {
    open.put(id, seq);
  }

  /**
   * A consistent view for a snapshot; the caller must hold off {@link #apply} while it is taken, and
   * close it once written (until then the blocks it refers to are not reused).
   */
  public Image image() {
    synchronized (imageLock) {
      openImages++;
    }
    return new Image(appliedSeq, new ArrayList<>(data.entrySet()), new ArrayList<>(open.entrySet()));
  }

  /** A point-in-time view of the state: its entries are read while it is open. */
  public final class Image implements AutoCloseable {
    private final long seq;
    private final List<Map.Entry<Key, Object>> entries;
    private final List<Map.Entry<Key, Long>> open;
    private boolean closed;

    private Image(long seq, List<Map.Entry<Key, Object>> entries, List<Map.Entry<Key, Long>> open) {
      this.seq = seq;
      this.entries = entries;
      this.open = open;
    }

    public long seq() {
      return seq;
    }

    public int size() {
      return entries.size();
    }

    public List<Map.Entry<Key, Long>> open() {
      return open;
    }

    /** Hands each key and a copy of its value, in key order, to {@code each}. */
    public void forEach(EntryConsumer each) throws IOException {
      for (Map.Entry<Key, Object> e : entries) each.accept(e.getKey(), values.read(e.getValue()));
    }

    @Override
    public void close() {
      synchronized (imageLock) {
        if (closed) return;
        closed = true;
        if (--openImages == 0) releaseFreed = true; // the applying thread returns the blocks (it owns the free lists)
      }
    }
  }

  /** Receives one entry of an {@link Image}. */
  public interface EntryConsumer {
    void accept(Key key, byte[] value) throws IOException;
  }
}
