package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The primary side's acknowledgement bookkeeping: the writes waiting for local durability or for the standby's
 * acknowledgement too, and the standby's progress that releases them. Its own lock orders the waiters.
 */
final class WriteAcknowledgements {
  private record Waiter(long seq, long startNanos, Replica.Completion c) {}

  private final Config cfg;
  private final LogWriter writer;
  private final Counters counters;
  private final BooleanSupplier serving;
  private final LongSupplier nanoTime;
  private final Object waitLock = new Object();
  private final ArrayDeque<Waiter> localQ = new ArrayDeque<>();
  private final ArrayDeque<Waiter> syncQ = new ArrayDeque<>();

  private volatile long standbyAcked = -1;
  // OU_DATA_DURABILITY=preferred: a Synchronous/Journal primary the operator gave no standby yet
  // acknowledges on its own durable write, until a standby's session starts (see
  // standbySessionStarting for why not later).
  private volatile boolean acksAlone;
  private volatile boolean standbyConnected;
  // The primary's last sequence when the standby's session started: the standby calls itself in
  // sync once it holds it.
  private volatile long catchUpTarget = Long.MAX_VALUE;

  WriteAcknowledgements(
      Config cfg,
      LogWriter writer,
      Counters counters,
      BooleanSupplier serving,
      LongSupplier nanoTime) {
    this.cfg = cfg;
    this.writer = writer;
    this.counters = counters;
    this.serving = serving;
    this.nanoTime = nanoTime;
  }

  /** Queues a write's waiter: {@code sync} when it waits for the standby's acknowledgement too. */
  void enqueue(boolean sync, long seq, Replica.Completion c) {
    synchronized (waitLock) {
      (sync ? syncQ : localQ).add(new Waiter(seq, nanoTime.getAsLong(), c));
    }
  }

  /** Completes the writes whose condition holds: local durability, and the standby's ack where needed. */
  void progress() {
    List<Waiter> done = null;
    synchronized (waitLock) {
      long d = writer.durableSeq();
      while (!localQ.isEmpty() && localQ.peek().seq() <= d)
        (done == null ? done = new ArrayList<>() : done).add(localQ.poll());
      long both = acksAlone ? d : Math.min(d, standbyAcked);
      while (!syncQ.isEmpty() && syncQ.peek().seq() <= both)
        (done == null ? done = new ArrayList<>() : done).add(syncQ.poll());
    }
    if (done == null) return;
    boolean ok = serving.getAsBoolean();
    for (Waiter w : done) {
      if (ok) w.c().ok(w.seq());
      else w.c().fail(LocalProtocol.FENCED, "not acknowledged: this member stopped serving");
    }
    flushAll(done);
    counters.add(ok ? "writesAcknowledged" : "writesRefusedFenced", done.size());
  }

  /** Fails synchronous writes that waited longer than the sync timeout for a standby. */
  void expireWaiters() {
    long limit = cfg.syncTimeoutMillis() * 1_000_000L;
    List<Waiter> expired = null;
    synchronized (waitLock) {
      long now = nanoTime.getAsLong();
      while (!syncQ.isEmpty() && now - syncQ.peek().startNanos() > limit)
        (expired == null ? expired = new ArrayList<>() : expired).add(syncQ.poll());
    }
    if (expired == null) return;
    counters.add("writesTimedOut", expired.size());
    for (Waiter w : expired)
      w.c()
          .fail(
              LocalProtocol.UNAVAILABLE,
              "no standby made the write durable within " + cfg.syncTimeoutMillis() + " ms");
    flushAll(expired);
  }

  void failAll(int status, String message) {
    List<Waiter> all;
    synchronized (waitLock) {
      all = new ArrayList<>(localQ);
      all.addAll(syncQ);
      localQ.clear();
      syncQ.clear();
    }
    for (Waiter w : all) w.c().fail(status, message);
    flushAll(all);
  }

  private static void flushAll(List<Waiter> ws) {
    Replica.Completion last = null;
    for (Waiter w : ws) {
      if (w.c() != last)
        w.c().flush(); // completions of one connection flush the same stream: cheap when already
      // flushed
      last = w.c();
    }
  }

  // ---- the standby's progress -------------------------------------------------------------------

  /** A new role: nothing the standby acknowledged before counts. */
  void forgetStandbyAcked() {
    standbyAcked = -1;
  }

  boolean acksAlone() {
    return acksAlone;
  }

  void acksAlone(boolean alone) {
    acksAlone = alone;
  }

  /**
   * A standby's session is decided (log or snapshot), before the primary tells it its position: from now on
   * every write waits for a standby again. Not later (at its first acknowledgement, or once caught up): the
   * standby calls itself in sync once it reaches the position told it at the start, so a write acknowledged
   * alone after that position would be missing from a standby that is promotable.
   */
  void standbySessionStarting(long primaryLastSeq) {
    acksAlone = false;
    catchUpTarget = primaryLastSeq;
  }

  void standbySessionStarted(long holdsUpTo) {
    standbyAcked = holdsUpTo;
    standbyConnected = true;
    progress();
  }

  void standbyAcked(long seq) {
    if (seq > standbyAcked) standbyAcked = seq;
    progress();
  }

  void standbyDisconnected() {
    standbyConnected = false;
    catchUpTarget = Long.MAX_VALUE;
  }

  /** The standby holds what this primary held when its session started: it calls itself in sync (and reports so). */
  boolean standbyCaughtUp() {
    return standbyConnected && standbyAcked >= catchUpTarget;
  }

  long standbyAckedSeq() {
    return standbyAcked;
  }

  boolean standbyConnected() {
    return standbyConnected;
  }
}
