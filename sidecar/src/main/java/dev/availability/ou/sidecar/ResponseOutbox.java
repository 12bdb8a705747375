package dev.availability.ou.sidecar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The responses of one local API connection on their way out. Whoever completes a request (the log
 * writer after an fsync, the standby's acknowledgement receiver, a timer, a role change) never waits on this
 * client's socket: a client that stops reading once held the log writer in its critical section, and with it
 * every other client's writes. Such a thread queues its responses and then {@link #push}es them: it writes them
 * itself only as far as the socket takes them at once (a non-blocking write, no hand-off: a Synchronous write's
 * acknowledgement leaves on the thread that received the standby's ACK), and leaves the rest to the
 * connection's writing thread ({@link #run}), which may wait for the client.
 *
 * <p>Bounded: the connection's reader calls {@link #awaitRoom} before it reads the next request, so a
 * client that does not read its responses stops being read (its own socket buffers fill, it blocks)
 * while every other connection goes on.
 *
 * <p>The connection's reader (the owner) writes what it queued itself ({@link #writeHere}) at the end of a
 * burst of requests, after committing their writes: responses that reader produced need no hand-off to the
 * writing thread. It may block there on its own client's socket only, which stops only this connection, as
 * {@link #awaitRoom} does. One writes at a time, in order.
 */
final class ResponseOutbox {
  /** Where the responses go: the connection's socket. */
  interface Sink {
    /** Writes what the socket takes now, without waiting; the buffer's position tells how much. */
    void writeNow(ByteBuffer b) throws IOException;

    /** Writes all of it, waiting while the socket is full. */
    void writeAll(ByteBuffer b) throws IOException;
  }

  /** Requests read whose answer is not yet written to the socket (in flight or queued) before the reader waits. */
  static final int MAX_UNANSWERED = 1024;
  /** Bytes of queued responses before the reader waits; times the connection cap, small beside a 64 MiB heap. */
  static final int MAX_QUEUED_BYTES = 256 << 10;
  /** The encoding buffer is kept for the next batch up to this size. */
  private static final int KEPT_BUFFER_BYTES = 1 << 16;

  private record Out(int id, int status, byte[] payload, boolean answers) {}

  private final Sink sink;
  private final Thread owner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Out> queue = new ArrayDeque<>();
  private long queuedBytes;
  private int unanswered;
  private boolean closed;
  private boolean writing; // a batch is being written, by the writing thread, the owner or a pusher
  // A batch a push could not write whole: its rest waits in `encoded` for the writing thread,
  // counted out
  // (leftoverCounted) once written. Under the lock.
  private boolean leftover;
  private long[] leftoverCounted;
  // The batch being written, encoded; touched only by whoever set `writing` (or the writing thread
  // for a leftover).
  private ByteBuffer encoded = ByteBuffer.allocate(KEPT_BUFFER_BYTES);

  /** {@code owner}: the connection's reader, which calls {@link #writeHere} before it waits for the client. */
  ResponseOutbox(Sink sink, Thread owner) {
    this.sink = sink;
    this.owner = owner;
  }

  /** The reader took a request: it counts until a response that {@code answers} it is written. */
  void accepted() {
    lock.lock();
    try {
      unanswered++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a response and has it written (by the writing thread, unless the owner queues it: it writes its own);
   * never blocks. {@code answers}: it is the answer to an accepted request (false for later WATCH events, which
   * answer nothing).
   */
  void respond(int id, int status, byte[] payload, boolean answers) {
    lock.lock();
    try {
      if (!add(id, status, payload, answers)) return;
      if (Thread.currentThread() != owner) changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Queues a response without having it written: the caller {@link #push}es after a batch of them. */
  void queue(int id, int status, byte[] payload, boolean answers) {
    lock.lock();
    try {
      add(id, status, payload, answers);
    } finally {
      lock.unlock();
    }
  }

  private boolean add(int id, int status, byte[] payload, boolean answers) {
    if (closed) return false;
    queue.add(new Out(id, status, payload, answers));
    queuedBytes += 9 + payload.length;
    return true;
  }

  /**
   * After {@link #queue}: writes what is queued on the calling thread as far as the socket takes it without
   * waiting, and wakes the writing thread for the rest; never blocks. On the owner, nothing: it writes its own
   * at the end of its burst ({@link #writeHere}). When another thread is writing, that one takes what was
   * queued meanwhile.
   */
  void push() {
    if (Thread.currentThread() == owner) return;
    Out[] outs;
    lock.lock();
    try {
      if (closed || writing || queue.isEmpty()) return;
      if (leftover) {
        changed.signalAll(); // the writing thread writes the rest first
        return;
      }
      outs = take();
    } finally {
      lock.unlock();
    }
    long[] counted = encode(outs);
    boolean whole = true;
    try {
      sink.writeNow(encoded);
      whole = !encoded.hasRemaining();
    } catch (IOException e) {
      close(); // the connection is gone; its reader sees it too
    } finally {
      lock.lock();
      try {
        writing = false;
        if (whole) {
          countOut(counted);
        } else {
          leftover = true;
          leftoverCounted = counted;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Whether {@link #awaitRoom} would return at once. */
  boolean hasRoom() {
    lock.lock();
    try {
      return closed || (unanswered < MAX_UNANSWERED && queuedBytes < MAX_QUEUED_BYTES);
    } finally {
      lock.unlock();
    }
  }

  /** Waits while this connection has too much unanswered or queued; false once the outbox is closed. */
  boolean awaitRoom() throws InterruptedException {
    lock.lock();
    try {
      while (!closed && (unanswered >= MAX_UNANSWERED || queuedBytes >= MAX_QUEUED_BYTES))
        changed.await();
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code millis} for everything queued to be written (a last error before closing). */
  void awaitWritten(long millis) throws InterruptedException {
    long left = TimeUnit.MILLISECONDS.toNanos(millis);
    lock.lock();
    try {
      while (!closed && queuedBytes > 0 && left > 0) left = changed.awaitNanos(left);
    } finally {
      lock.unlock();
    }
  }

  /** Drops whatever is queued and stops the writing thread; waiters in {@link #awaitRoom} return. */
  void close() {
    lock.lock();
    try {
      closed = true;
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The writing thread: takes what is queued, writes it, until closed or the socket fails. */
  void run() {
    try {
      while (true) {
        Out[] outs;
        lock.lock();
        try {
          while (!closed && ((queue.isEmpty() && !leftover) || writing)) changed.await();
          if (closed) return;
          outs = take();
        } finally {
          lock.unlock();
        }
        write(outs);
      }
    } catch (IOException | InterruptedException e) {
      close(); // the connection is gone: its reader stops waiting for room
    }
  }

  /**
   * On the owner: writes what is queued on this thread, unless another thread is at it (it takes what was
   * queued meanwhile when done). Throws when the socket fails (the connection is gone).
   */
  void writeHere() throws IOException {
    while (true) {
      Out[] outs;
      lock.lock();
      try {
        if (closed || writing || (queue.isEmpty() && !leftover)) return;
        outs = take();
      } finally {
        lock.unlock();
      }
      try {
        write(outs);
      } catch (IOException e) {
        close();
        throw e;
      }
    }
  }

  /** With the lock held: this thread becomes the one writing, and takes what is queued. */
  private Out[] take() {
    writing = true;
    Out[] outs = queue.toArray(NONE);
    queue.clear();
    return outs;
  }

  private static final Out[] NONE = new Out[0];

  /** Writes a push's leftover, then {@code outs}, waiting for the socket; then counts them out. */
  private void write(Out[] outs) throws IOException {
    long[] rest = null;
    long[] counted = null;
    try {
      lock.lock();
      try {
        if (leftover) {
          rest = leftoverCounted;
          leftover = false;
        }
      } finally {
        lock.unlock();
      }
      if (rest != null) sink.writeAll(encoded);
      if (outs.length > 0) {
        counted = encode(outs);
        sink.writeAll(encoded);
      }
    } finally {
      lock.lock();
      try {
        writing = false;
        if (rest != null) countOut(rest);
        if (counted != null) countOut(counted);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Encodes the responses into {@link #encoded}, ready to write; returns {bytes, answers} to count out. */
  private long[] encode(Out[] outs) {
    long bytes = 0;
    int answered = 0;
    for (Out o : outs) {
      bytes += 9 + o.payload().length;
      if (o.answers()) answered++;
    }
    if (encoded.capacity() < bytes
        || (encoded.capacity() > KEPT_BUFFER_BYTES && bytes <= KEPT_BUFFER_BYTES))
      encoded = ByteBuffer.allocate((int) Math.max(bytes, KEPT_BUFFER_BYTES));
    encoded.clear();
    for (Out o : outs)
      encoded
          .putInt(5 + o.payload().length)
          .putInt(o.id())
          .put((byte) o.status())
          .put(o.payload());
    encoded.flip();
    return new long[] {bytes, answered};
  }

  /** With the lock held: written responses leave the bounds. */
  private void countOut(long[] counted) {
    queuedBytes -= counted[0];
    unanswered -= (int) counted[1];
  }
}
