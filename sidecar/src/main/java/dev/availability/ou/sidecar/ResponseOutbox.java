package dev.availability.ou.sidecar;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The responses of one local API connection on their way out. Whoever completes a request (the log
 * writer after an fsync, the standby's acknowledgement reader, a timer, a role change) only queues here
 * and never waits on this client's socket: a client that stops reading once held the log writer in its
 * critical section, and with it every other client's writes. One thread per connection ({@link #run})
 * writes the queue out, a batch per flush.
 *
 * <p>Bounded: the connection's reader calls {@link #awaitRoom} before it reads the next request, so a
 * client that does not read its responses stops being read (its own socket buffers fill, it blocks)
 * while every other connection goes on.
 *
 * <p>The connection's reader (the owner) writes what it queued itself ({@link #writeHere}) at the end of a
 * burst of requests, after committing their writes: responses that reader produced need no hand-off to the
 * writing thread. It may block there on its own client's socket only, which stops only this connection, as
 * {@link #awaitRoom} does. Whoever else responds wakes the writing thread. One writes at a time, in order.
 */
final class ResponseOutbox {
  /** Requests read whose answer is not yet written to the socket (in flight or queued) before the reader waits. */
  static final int MAX_UNANSWERED = 1024;
  /** Bytes of queued responses before the reader waits; times the connection cap, small beside a 64 MiB heap. */
  static final int MAX_QUEUED_BYTES = 256 << 10;

  private record Out(int id, int status, byte[] payload, boolean answers) {}

  private final OutputStream os;
  private final Thread owner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Out> queue = new ArrayDeque<>();
  private long queuedBytes;
  private int unanswered;
  private boolean closed;
  private boolean writing; // a batch is being written, by the writing thread or the owner

  /** {@code owner}: the connection's reader, which calls {@link #writeHere} before it waits for the client. */
  ResponseOutbox(OutputStream os, Thread owner) {
    this.os = os;
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
   * Queues a response; never blocks. {@code answers}: it is the answer to an accepted request (false for
   * later WATCH events, which answer nothing).
   */
  void respond(int id, int status, byte[] payload, boolean answers) {
    lock.lock();
    try {
      if (closed) return;
      queue.add(new Out(id, status, payload, answers));
      queuedBytes += 9 + payload.length;
      // the owner writes its own responses (writeHere) and is the only one waiting for room
      if (Thread.currentThread() != owner) changed.signalAll();
    } finally {
      lock.unlock();
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

  /** The writing thread: takes what is queued, writes it, flushes once, until closed or the socket fails. */
  void run() {
    List<Out> batch = new ArrayList<>();
    try {
      while (true) {
        lock.lock();
        try {
          while (!closed && (queue.isEmpty() || writing)) changed.await();
          if (closed) return;
          take(batch);
        } finally {
          lock.unlock();
        }
        write(batch);
      }
    } catch (IOException | InterruptedException e) {
      close(); // the connection is gone: its reader stops waiting for room
    }
  }

  /**
   * On the owner: writes what is queued on this thread, unless the writing thread is at it (it takes what
   * was queued meanwhile when done). Throws when the socket fails (the connection is gone).
   */
  void writeHere() throws IOException {
    List<Out> batch = new ArrayList<>();
    while (true) {
      lock.lock();
      try {
        if (closed || writing || queue.isEmpty()) return;
        take(batch);
      } finally {
        lock.unlock();
      }
      try {
        write(batch);
      } catch (IOException e) {
        close();
        throw e;
      }
    }
  }

  /** Takes the queue as the next batch to write (with the lock held). */
  private void take(List<Out> batch) {
    batch.addAll(queue);
    queue.clear();
    writing = true;
  }

  /** Writes and flushes a batch taken by {@link #take}, then counts it out. */
  private void write(List<Out> batch) throws IOException {
    long bytes = 0;
    int answered = 0;
    try {
      for (Out o : batch) {
        writeFrame(o.id(), o.status(), o.payload());
        bytes += 9 + o.payload().length;
        if (o.answers()) answered++;
      }
      os.flush();
    } finally {
      batch.clear();
      lock.lock();
      try {
        writing = false;
        queuedBytes -= bytes;
        unanswered -= answered;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void writeFrame(int id, int status, byte[] payload) throws IOException {
    byte[] h = new byte[9];
    int len = 5 + payload.length;
    h[0] = (byte) (len >>> 24);
    h[1] = (byte) (len >>> 16);
    h[2] = (byte) (len >>> 8);
    h[3] = (byte) len;
    h[4] = (byte) (id >>> 24);
    h[5] = (byte) (id >>> 16);
    h[6] = (byte) (id >>> 8);
    h[7] = (byte) id;
    h[8] = (byte) status;
    os.write(h);
    os.write(payload);
  }
}
