package dev.availability.ou.sidecar;

import dev.availability.ou.replication.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The one thread that writes the log: records queue up in a buffer while the previous batch is being
 * written and fsynced, then go out together (group commit). After the write the sender may stream
 * them; after the fsync (per {@link FsyncPolicy}) they count as durable and the listener hears it.
 */
final class LogWriter implements AutoCloseable {
  private final Store store;
  private final FsyncPolicy policy;
  private final Counters counters;
  private final ReentrantLock io = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.locks.Condition notEmpty = lock.newCondition();
  private final java.util.concurrent.locks.Condition idle = lock.newCondition();
  private int count; // records in buf
  private int lastBatchCount;
  private long lastForceDurationNanos;
  private final Thread thread;
  private byte[] buf = new byte[1 << 16];
  private byte[] spare =
      new byte[1 << 16]; // the other buffer: one fills while the other is written
  private int len;
  private long bufLast;
  private boolean busy;
  private volatile boolean running = true;
  private volatile long writtenSeq;
  private volatile long durableSeq;
  private volatile BatchListener onWritten = (f, l, b, n) -> {};
  private volatile LongConsumer onDurable = s -> {};
  private volatile IOException failure;
  private long lastForceNanos = System.nanoTime();

  LogWriter(Store store, FsyncPolicy policy, Counters counters) {
    this.store = store;
    this.policy = policy;
    this.counters = counters;
    long last = store.log().lastSeq();
    writtenSeq = last;
    durableSeq = last;
    thread = new Thread(this::loop, "ou-log-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Hears each batch right after it was written (before its fsync), on the writer thread. */
  interface BatchListener {
    void written(long firstSeq, long lastSeq, byte[] bytes, int length);
  }

  void listen(BatchListener onWritten, LongConsumer onDurable) {
    this.onWritten = onWritten;
    this.onDurable = onDurable;
  }

  long writtenSeq() {
    return writtenSeq;
  }

  long durableSeq() {
    return durableSeq;
  }

  IOException failure() {
    return failure;
  }

  /**
   * The most bytes queued for the writer before producers wait (see {@link #awaitRoom}). 1 MiB is more
   * than 128 writers of 4 KiB values queue in an fsync, and keeps the two buffers, and the frame a batch
   * becomes on the standby, small in a 64 MiB heap (at 4 MiB a standby under load ran out of heap).
   */
  static final int MAX_QUEUED_BYTES = 1 << 20;
  /** Buffers up to this size are kept for reuse rather than left to the garbage collector. */
  private static final int REUSED_BUFFER_BYTES = 2 * MAX_QUEUED_BYTES;

  /**
   * Backpressure for producers that can outrun the disk (the standby's stream reader, a client pipelining
   * without bound): waits while more than {@link #MAX_QUEUED_BYTES} are queued, writing them on this thread
   * when the writer is idle. Without it an Asynchronous standby buffered whatever the network delivered
   * and ran out of heap. Call it without holding the replica's lock.
   */
  void awaitRoom() throws InterruptedException {
    while (true) {
      lock.lock();
      try {
        if (len <= MAX_QUEUED_BYTES || !running) return;
        if (busy) {
          idle.await(10, java.util.concurrent.TimeUnit.MILLISECONDS);
          continue;
        }
      } finally {
        lock.unlock();
      }
      commitInline();
    }
  }

  /** Queues one record (sequence order is the caller's duty) and wakes the writer thread. */
  void append(LogRecord r) {
    append(r, true);
  }

  /**
   * Queues one record (sequence order is the caller's duty). {@code wakeWriter} false: the caller calls
   * {@link #commitInline} right after, so waking the writer thread would only race it for the batch and
   * put a thread hand-off back on the write's path. Records never strand: a commit that finds the writer
   * busy leaves them to the writer, which takes what was queued meanwhile when it is done.
   */
  void append(LogRecord r, boolean wakeWriter) {
    lock.lock();
    try {
      ensure(r.encodedSize());
      ByteBuffer b = ByteBuffer.wrap(buf, len, buf.length - len);
      r.encodeTo(b);
      len = b.position();
      bufLast = r.seq();
      count++;
      unpacedQueued = true;
      if (wakeWriter) notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues already-encoded, verified records (from the primary's stream); {@code wakeWriter} as for {@link
   * #append(LogRecord, boolean)}. {@code paced}: the caller commits them when it chooses (an Asynchronous standby,
   * {@link AckPacing}), so a commit that finds them queued after its own batch leaves them there instead of waking
   * the writer thread for another flush.
   */
  void appendRaw(byte[] bytes, long lastSeq, boolean wakeWriter, boolean paced) {
    lock.lock();
    try {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
      bufLast = lastSeq;
      count += 1;
      if (!paced) unpacedQueued = true;
      if (wakeWriter) notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  private void ensure(int extra) {
    // Doubling stops at the reused size: past it, a buffer grows only by what one record needs.
    if (len + extra > buf.length)
      buf =
          Arrays.copyOf(buf, Math.max(Math.min(buf.length * 2, REUSED_BUFFER_BYTES), len + extra));
  }

  private void loop() {
    while (running) {
      Batch batch;
      lock.lock();
      try {
        while (running && (len == 0 || busy)) {
          try {
            if (!busy && policy.kind() == FsyncPolicy.Kind.INTERVAL && writtenSeq > forcedSeq) {
              notEmpty.await(
                  Math.max(1, policy.intervalMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
              if (len == 0 && !busy) break;
            } else {
              notEmpty.await();
            }
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!running) return;
        // Group commit: when fewer records wait than went into the last fsync, the others are
        // probably on their way back (their acknowledgement just left); waiting a fraction of an
        // fsync gathers them.
        if (policy.kind() == FsyncPolicy.Kind.ALWAYS && count < lastBatchCount) {
          long wait = Math.min(GROUP_COMMIT_MAX_WAIT_NANOS, lastForceDurationNanos / 2);
          try {
            while (count < lastBatchCount && wait > 0) wait = notEmpty.awaitNanos(wait);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (busy) continue;
        batch = takeBatch();
      } finally {
        lock.unlock();
      }
      io(batch);
    }
  }

  /**
   * Writes what is queued on the calling thread when no other thread is writing, and returns once it is
   * durable (per the policy); otherwise leaves it to the thread that is. The standby's stream reader
   * commits its batches this way: one thread hand-off less on the path of every synchronous write.
   */
  void commitInline() {
    Batch batch;
    lock.lock();
    try {
      if (busy || len == 0 || !running) return;
      batch = takeBatch();
    } finally {
      lock.unlock();
    }
    io(batch);
  }

  /** Queued records taken for one write: the buffer, its used length and the last sequence in it. */
  private record Batch(byte[] bytes, int length, long lastSeq) {}

  /** Takes the queued records as the next batch (with the lock held) and marks the writer busy. */
  private Batch takeBatch() {
    Batch b = new Batch(buf, len, bufLast);
    lastBatchCount = count;
    buf = spare != null ? spare : new byte[1 << 16];
    spare = null;
    len = 0;
    count = 0;
    unpacedQueued = false;
    busy = true;
    return b;
  }

  /** Writes a batch, hands it to the sender, forces it per the policy and publishes durability. */
  private void io(Batch batch) {
    byte[] out = batch.bytes();
    int n = batch.length();
    long last = batch.lastSeq();
    io.lock();
    try {
      if (n > 0) {
        long first = writtenSeq + 1;
        store.log().append(out, 0, n);
        writtenSeq = last;
        counters.inc("logWrites");
        onWritten.written(first, last, out, n);
      }
      boolean force = switch (policy.kind()) {
        case ALWAYS -> n > 0;
        case NEVER -> false;
        case INTERVAL ->
          System.nanoTime() - lastForceNanos >= policy.intervalMillis() * 1_000_000L
              && writtenSeq > forcedSeq;
      };
      if (force) {
        long upTo = writtenSeq;
        long t0 = System.nanoTime();
        store.log().force();
        lastForceDurationNanos = System.nanoTime() - t0;
        forcedSeq = upTo;
        lastForceNanos = System.nanoTime();
        counters.inc("fsyncs");
      }
      if (n > 0) {
        durableSeq = last;
        onDurable.accept(last);
      }
    } catch (IOException | RuntimeException | Error e) {
      failure = e instanceof IOException io ? io : new IOException(e);
      Logs.error("log write failed; this member stops acknowledging (and /healthz fails)", e);
      running = false;
    } finally {
      io.unlock();
      lock.lock();
      try {
        busy = false;
        if (spare == null && out.length <= REUSED_BUFFER_BYTES) spare = out;
        idle.signalAll();
        // queued meanwhile: the writer thread takes it, unless only paced records wait (their
        // caller commits them when due)
        if (len > 0 && unpacedQueued) notEmpty.signal();
      } finally {
        lock.unlock();
      }
    }
  }

  private volatile long forcedSeq;
  /** Whether a record not {@code paced} (see {@link #appendRaw}) is queued; under {@link #lock}. */
  private boolean unpacedQueued;
  /** The longest a batch waits for more records (group commit), and never more than half an fsync. */
  static final long GROUP_COMMIT_MAX_WAIT_NANOS =
      Long.getLong("ou.groupCommitMaxWaitMicros", 0) * 1000;

  /** Waits until everything queued so far was written and is durable. */
  void drain() throws InterruptedException {
    lock.lock();
    try {
      while ((len > 0 || busy) && running)
        idle.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code action} with the writer drained and paused, then resets the positions to {@code seqAfter}. */
  void exclusive(IoAction action) throws IOException, InterruptedException {
    drain();
    io.lock();
    try {
      long seq = action.run();
      writtenSeq = seq;
      durableSeq = seq;
      forcedSeq = seq;
    } finally {
      io.unlock();
    }
  }

  /** An action on the store while the writer is paused; returns the log's last sequence after it. */
  interface IoAction {
    long run() throws IOException;
  }

  @Override
  public void close() {
    running = false;
    lock.lock();
    try {
      notEmpty.signalAll();
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
