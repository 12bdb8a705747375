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

  // The standby the assignment names (its peer) and, while a new one catches up, its next peer
  // (make-before-break): written under waitLock, read without it too.
  private volatile StandbyAcks peer = new StandbyAcks(null, this::progress);
  private volatile StandbyAcks next;
  // OU_DATA_DURABILITY=preferred: a Synchronous/Journal primary the operator gave no standby yet
  // acknowledges on its own durable write, until a standby's session starts (see
  // standbySessionStarting for why not later).
  private volatile boolean acksAlone;

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
      long both = acksAlone ? d : Math.min(d, peer.ackedSeq());
      // A next peer that caught up holds every write acknowledged since: it may be made the peer.
      StandbyAcks n = next;
      if (n != null && n.required()) both = Math.min(both, n.ackedSeq());
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

  // ---- the standbys' progress -------------------------------------------------------------------

  /**
   * The standbys the assignment names, by replication endpoint (null: none): its {@code peer} and its catching-up
   * {@code next} peer. A peer that was the next peer keeps what it acknowledged (the handover of make-before-break);
   * any other new endpoint starts from nothing. The caller runs {@link #progress} after (not under its lock).
   */
  void standbys(String peerEndpoint, String nextEndpoint) {
    synchronized (waitLock) {
      StandbyAcks n = next;
      if (n != null && n.endpoint().equals(peerEndpoint)) {
        peer = n;
        n = null;
      } else if (!java.util.Objects.equals(peer.endpoint(), peerEndpoint)) {
        peer = new StandbyAcks(peerEndpoint, this::progress);
      }
      if (nextEndpoint == null || nextEndpoint.isBlank() || nextEndpoint.equals(peerEndpoint))
        next = null;
      else if (n == null || !n.endpoint().equals(nextEndpoint))
        next = new StandbyAcks(nextEndpoint, this::progress);
    }
  }

  /** A new role: nothing a standby acknowledged before counts. */
  void forgetStandbyAcked() {
    synchronized (waitLock) {
      peer = new StandbyAcks(peer.endpoint(), this::progress);
      StandbyAcks n = next;
      if (n != null) next = new StandbyAcks(n.endpoint(), this::progress);
    }
  }

  /** The progress a link to {@code endpoint} streams into: the peer's, the next peer's, or null (neither now). */
  StandbyAcks standbyFor(String endpoint) {
    if (endpoint == null) return null;
    StandbyAcks p = peer;
    if (endpoint.equals(p.endpoint())) return p;
    StandbyAcks n = next;
    return n != null && endpoint.equals(n.endpoint()) ? n : null;
  }

  boolean isPeer(StandbyAcks s) {
    return s == peer;
  }

  /**
   * The next peer {@code n} caught up with the live stream: from now on every write waits for it too. Its catch-up
   * target (returned, told it as the primary's position) is the durable position read after that, under the waiters'
   * lock: whatever was acknowledged without it is at most that, so once it holds the target it holds every
   * acknowledged write, and the operator may make it the peer. -1 when {@code n} is no longer the next peer.
   */
  long requireNext(StandbyAcks n) {
    synchronized (waitLock) {
      if (next != n) return -1;
      return n.require(writer::durableSeq);
    }
  }

  /** Whether the next peer at {@code endpoint} caught up (the primary's own view): it may become the peer. */
  boolean nextCaughtUp(String endpoint) {
    StandbyAcks n = next;
    return n != null && n.endpoint().equals(endpoint) && n.caughtUp();
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
   * alone after that position would be missing from a standby that is promotable. A next peer's session waits
   * for {@link #requireNext} instead.
   */
  void sessionStarting(StandbyAcks s, long primaryLastSeq) {
    if (s != peer) return;
    acksAlone = false;
    s.sessionStarting(primaryLastSeq);
  }

  /** {@link #sessionStarting(StandbyAcks, long)} for the peer. */
  void standbySessionStarting(long primaryLastSeq) {
    sessionStarting(peer, primaryLastSeq);
  }

  void standbySessionStarted(long holdsUpTo) {
    peer.sessionStarted(holdsUpTo);
  }

  void standbyAcked(long seq) {
    peer.acked(seq);
  }

  void standbyDisconnected() {
    peer.disconnected();
  }

  /** The peer holds what this primary held when its session started: it calls itself in sync (and reports so). */
  boolean standbyCaughtUp() {
    return peer.caughtUp();
  }

  long standbyAckedSeq() {
    return peer.ackedSeq();
  }

  /**
   * Whether a standby that every write waits for is connected: the peer, or a next peer that caught up (writes wait for
   * it too, so it confirms this primary as the peer does: LeaseFailsafe). The pool may take the unit from the old
   * peer's pod a moment before the assignment makes the next peer the peer; the drill saw that moment end the
   * failsafe, and two writes refused while the new pod was already acknowledging every write.
   */
  boolean confirmingStandbyConnected() {
    return peer.connected() || confirmingNext(next);
  }

  /**
   * Whether frames from {@code s} confirm this primary (its lease failsafe, its peer-lost report): the peer's, or a
   * caught-up next peer's that every write waits for. When the pool takes the unit from the old peer's pod a moment
   * before the assignment makes the next peer the peer, the next peer's heartbeats keep the failsafe going; counting
   * the old peer's alone ended it 3 heartbeats later and left the writes to the lease renewal's round trip.
   */
  boolean confirms(StandbyAcks s) {
    return s == peer || (s == next && confirmingNext(s));
  }

  /** A next peer every write waits for, caught up: it confirms this primary as the peer does. */
  private static boolean confirmingNext(StandbyAcks n) {
    return n != null && n.required() && n.caughtUp();
  }

  /** Whether the peer's session is up. */
  boolean standbyConnected() {
    return peer.connected();
  }
}
