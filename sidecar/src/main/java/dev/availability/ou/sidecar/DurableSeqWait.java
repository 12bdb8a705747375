package dev.availability.ou.sidecar;

import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits until the log is durable up to a sequence, woken by the log writer's durable batches ({@link #reached})
 * rather than polling. The writer tells nothing when it fails or when the stream resets its positions
 * ({@link LogWriter#exclusive}), so a waiter also looks again every {@link #RECHECK_MILLIS}.
 */
final class DurableSeqWait {
  static final long RECHECK_MILLIS = 100;

  private final LongSupplier durableSeq;
  private final Supplier<IOException> failure;
  private final Object lock = new Object();
  // The lowest sequence a waiter waits for: batches below it wake nobody (no lock on the writer's
  // path).
  private volatile long awaited = Long.MAX_VALUE;
  private int waiters; // under lock

  DurableSeqWait(LongSupplier durableSeq, Supplier<IOException> failure) {
    this.durableSeq = durableSeq;
    this.failure = failure;
  }

  /** The log is durable up to {@code seq} (the writer's thread, after it published the sequence). */
  void reached(long seq) {
    if (seq < awaited) return;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Returns once the log is durable up to {@code seq}; throws the writer's failure if it fails first. */
  void await(long seq) throws IOException, InterruptedException {
    synchronized (lock) {
      try {
        // Set before the check: a batch published after the check sees it and wakes this waiter.
        waiters++;
        awaited = Math.min(awaited, seq);
        while (durableSeq.getAsLong() < seq) {
          IOException failed = failure.get();
          if (failed != null) throw failed;
          lock.wait(RECHECK_MILLIS);
        }
      } finally {
        if (--waiters == 0)
          awaited =
              Long.MAX_VALUE; // else it may stay low: at worst a waiter wakes early and looks again
      }
    }
  }
}
