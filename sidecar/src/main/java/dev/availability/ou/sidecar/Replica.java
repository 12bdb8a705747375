package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.KvState;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.Messages;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.RecordType;
import dev.availability.ou.replication.Refusal;
import dev.availability.ou.replication.Snapshots;
import dev.availability.ou.replication.Terms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The member's replicated state and its role: sequences writes on a primary and acknowledges them per
 * the mode, applies the stream on a standby, fences itself when deposed or when its lease lapses.
 * One lock (this object) orders sequencing, applying and role changes; waiters have their own.
 */
final class Replica {
  /** How a write's outcome reaches the application. */
  interface Completion {
    void ok(long seq);

    void fail(int status, String message);

    /** After a batch of completions: push them out (one flush per batch). */
    default void flush() {}
  }

  /** A role as the application and the links see it. */
  record RoleView(Role role, long epoch, boolean serving, String reason) {}

  private record Waiter(long seq, long startNanos, Completion c) {}

  private final Config cfg;
  private final Store store;
  private final LogWriter writer;
  private final Counters counters;
  private final List<Consumer<RoleView>> roleListeners = new CopyOnWriteArrayList<>();
  private final Object waitLock = new Object();
  private final ReplicaSnapshots snapshots;
  private final ArrayDeque<Waiter> localQ = new ArrayDeque<>();
  private final ArrayDeque<Waiter> syncQ = new ArrayDeque<>();

  private volatile Role role; // null: unassigned
  private volatile long epoch;
  private volatile Mode mode;
  private long term;
  private String peerEndpoint;
  private volatile boolean selfFenced;
  private String fenceReason = "";
  private long nextSeq;
  private long promotionSeq;
  private volatile boolean leaseRequired;
  private volatile long leaseValidUntilNanos;
  // The API server answered that the lease is someone else's (or gone): no failsafe (LeaseFailsafe) then.
  private volatile boolean leaseTakenAway;
  private volatile boolean inFailsafe;
  private volatile boolean wasServing;

  // primary side
  private volatile long standbyAcked = -1;
  // OU_DATA_DURABILITY=preferred: a Synchronous/Journal primary the operator gave no standby yet acknowledges on
  // its own durable write, until a standby's session starts (see standbySessionStarting for why not later).
  private volatile boolean acksAlone;
  private volatile boolean standbyConnected;
  // standby side
  private volatile long primaryLastSeq = -1;
  private volatile boolean streaming;
  private volatile long catchUpTarget = Long.MAX_VALUE;
  private volatile boolean heldAllAtLoss;
  private volatile long lastPeerFrameNanos = System.nanoTime();

  Replica(Config cfg, Store store, LogWriter writer, Counters counters) throws IOException {
    this.cfg = cfg;
    this.store = store;
    this.writer = writer;
    this.counters = counters;
    this.mode = cfg.mode();
    this.nextSeq = store.log().lastSeq() + 1;
    this.snapshots = new ReplicaSnapshots(this, cfg, store, writer);
    Properties p = store.member();
    this.epoch = Long.parseLong(p.getProperty("epoch", "0"));
    writer.listen((first, last, bytes, n) -> {
      for (LogWriter.BatchListener l : writtenListeners) l.written(first, last, bytes, n);
    }, s -> {
      progress();
      for (java.util.function.LongConsumer l : durableListeners) l.accept(s);
    });
  }

  private final List<LogWriter.BatchListener> writtenListeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.LongConsumer> durableListeners = new CopyOnWriteArrayList<>();

  /** Called on the writer thread after records were written (before fsync): the sender may stream them. */
  void onWritten(LogWriter.BatchListener l) {
    writtenListeners.add(l);
  }

  void removeListener(Object l) {
    writtenListeners.remove(l);
    durableListeners.remove(l);
  }

  /** Called on the writer thread once records are durable. Keep it short. */
  void onDurable(java.util.function.LongConsumer l) {
    durableListeners.add(l);
  }

  // ---- role ----------------------------------------------------------------------------------------

  void onRoleChange(Consumer<RoleView> listener) {
    roleListeners.add(listener);
  }

  void addRoleListener(Consumer<RoleView> listener) {
    roleListeners.add(listener);
  }

  void removeRoleListener(Consumer<RoleView> listener) {
    roleListeners.remove(listener);
  }

  /** Takes an assignment. Older epochs are ignored; returns whether anything changed. */
  boolean assign(Role newRole, long newEpoch, String peer, Mode newMode, String reason) throws IOException {
    RoleView view;
    synchronized (this) {
      if (newEpoch < epoch) {
        Logs.warn("ignored assignment " + newRole + " at epoch " + newEpoch + ": this member is at epoch " + epoch);
        counters.inc("staleAssignmentsIgnored");
        return false;
      }
      if (newRole == Role.Primary && role != Role.Primary && writer.durableSeq() < store.exactFromSeq()) {
        // A snapshot received from the old primary is fuzzy until the stream reaches its consistent sequence:
        // serving it would show keys at values from different moments. The operator sees no confirmation and moves on.
        Logs.warn("refused promotion at epoch " + newEpoch + ": the state is exact only from sequence " + store.exactFromSeq()
            + " and this member holds up to " + writer.durableSeq());
        counters.inc("promotionsRefusedNotExact");
        return false;
      }
      if (newMode != null) mode = newMode;
      boolean sameRole = newRole == role && newEpoch == epoch && !(newRole == Role.Primary && selfFenced);
      // A new standby (or none): the old one is being replaced, so nothing waits for it any more.
      if (sameRole && role == Role.Primary && cfg.acknowledgeAlone() && !java.util.Objects.equals(peerEndpoint, peer)) acksAlone = true;
      peerEndpoint = peer;
      if (sameRole) {
        view = null;
      } else {
        Role old = role;
        if (newEpoch > epoch) {
          Properties p = store.member();
          p.setProperty("epoch", Long.toString(newEpoch));
          store.saveMember(p);
        }
        epoch = newEpoch;
        role = newRole;
        selfFenced = false;
        fenceReason = "";
        standbyAcked = -1;
        streaming = false;
        heldAllAtLoss = false;
        if (newRole == Role.Primary) becomePrimary();
        Logs.info("role " + old + " -> " + newRole + " at epoch " + newEpoch + " (mode " + mode.label() + ", peer " + peer + "): " + reason);
        counters.inc("roleChanges");
        view = view(reason);
      }
    }
    if (view == null) { // same role and epoch: only the peer or mode may have changed; tell the listeners outside the lock
      notifyLinks();
      progress();
      return false;
    }
    failAll(newRole == Role.Primary ? LocalProtocol.FENCED : newRole == Role.Standby ? LocalProtocol.NOT_PRIMARY : LocalProtocol.FENCED,
        "role changed to " + newRole + " at epoch " + newEpoch);
    publish(view);
    return true;
  }

  private void becomePrimary() throws IOException {
    Properties p = store.member();
    int inc = Long.toString(epoch).equals(p.getProperty("incarnationEpoch")) ? Integer.parseInt(p.getProperty("incarnation", "0")) + 1 : 1;
    p.setProperty("incarnationEpoch", Long.toString(epoch));
    p.setProperty("incarnation", Integer.toString(inc));
    store.saveMember(p);
    term = Terms.of(epoch, inc);
    // Back at an epoch it already served (a restart), with its standby still its peer: that standby may hold records
    // this primary lost, so nothing is acknowledged on one copy before it was heard (see PrimaryLink).
    acksAlone = cfg.acknowledgeAlone() && (inc == 1 || peerEndpoint == null || peerEndpoint.isBlank());
    promotionSeq = nextSeq;
    LogRecord start = new LogRecord(nextSeq++, term, RecordType.TERM_START, null, null);
    store.state().apply(start);
    writer.append(start);
    wasServing = serving();
    counters.set("promotionSeq", promotionSeq);
  }

  /** The peer (at a newer epoch) told us we were deposed: stop acknowledging at once. */
  void deposed(long newerEpoch) {
    selfFence("deposed: the peer is at epoch " + newerEpoch, "selfFences");
  }

  /**
   * The standby holds records of this epoch that this primary lost: stop serving (unready, reported Fenced) so that
   * it keeps them, and the operator promotes it. Serving on would make it cut what may be acknowledged writes.
   */
  void standbyHoldsMore(String why) {
    selfFence(why, "servingRefusedStandbyAhead");
  }

  private void selfFence(String reason, String counter) {
    RoleView view;
    synchronized (this) {
      if (role != Role.Primary || selfFenced) return;
      selfFenced = true;
      fenceReason = reason;
      counters.inc(counter);
      Logs.warn("self-fenced: " + fenceReason);
      view = view(fenceReason);
    }
    failAll(LocalProtocol.FENCED, fenceReason);
    publish(view);
  }

  /** Lease bookkeeping (Kubernetes control): writes are acknowledged only before {@code validUntilNanos}. */
  void leaseRequired(boolean required) {
    leaseRequired = required;
  }

  void leaseRenewed(long validUntilNanos) {
    leaseValidUntilNanos = validUntilNanos;
    leaseTakenAway = false;
    if (inFailsafe) Logs.info("lease renewed: the failsafe is over");
    inFailsafe = false;
    checkServing("lease renewed");
  }

  /** A renewal failed: {@code takenAway} when the API server said the lease is not ours, else it was not reached. */
  void leaseNotRenewed(boolean takenAway, String why) {
    if (takenAway) leaseTakenAway = true;
    boolean failsafe = failsafe();
    if (failsafe && !inFailsafe) {
      counters.inc("failsafeEntered");
      Logs.warn("lease not renewed (" + why + "): serving on while the standby at epoch " + epoch + " confirms every write (failsafe)");
    }
    inFailsafe = failsafe;
    checkServing("lease renewal failed: " + why);
  }

  private boolean leaseOk() {
    return !leaseRequired || System.nanoTime() - leaseValidUntilNanos < 0 || failsafe();
  }

  /** Serving past the lease on the standby's confirmation while the API server is unreachable (LeaseFailsafe). */
  boolean failsafe() {
    return leaseRequired && System.nanoTime() - leaseValidUntilNanos >= 0
        && LeaseFailsafe.serves(mode, acksAlone, leaseTakenAway, standbyConnected, peerHeartbeatAgeMillis(), cfg.heartbeatMillis());
  }

  /** Unsynchronized on purpose: the log writer asks it while another thread may hold this lock. */
  boolean serving() {
    return role == Role.Primary && !selfFenced && leaseOk() && writer.failure() == null;
  }

  /** Re-evaluates whether this primary serves (lease expiry, recovery) and tells listeners on a change. */
  void checkServing(String why) {
    RoleView view = null;
    boolean now;
    synchronized (this) {
      now = serving();
      if (now != wasServing) {
        wasServing = now;
        String reason = now ? why : leaseOk() ? why : "lease not renewed in time: stopped acknowledging writes";
        if (!now) counters.inc("leaseLapses");
        Logs.warn("serving=" + now + ": " + reason);
        view = view(reason);
      }
    }
    if (view != null) {
      if (!now) failAll(LocalProtocol.FENCED, view.reason());
      publish(view);
    }
  }

  synchronized RoleView view(String reason) {
    return new RoleView(role, epoch, role == Role.Primary && !selfFenced && leaseOk(), reason);
  }

  private void publish(RoleView v) {
    for (Consumer<RoleView> l : roleListeners) {
      try {
        l.accept(v);
      } catch (RuntimeException e) {
        Logs.error("role listener failed", e);
      }
    }
  }

  private void notifyLinks() {
    RoleView v = view("assignment refreshed");
    publish(v);
  }

  /** The role for the report: a primary that was deposed acts as fenced. */
  Role reportedRole() {
    return role == Role.Primary && selfFenced ? Role.Fenced : role;
  }

  synchronized Role role() {
    return role;
  }

  synchronized long epoch() {
    return epoch;
  }

  Mode mode() {
    return mode;
  }

  synchronized String peerEndpoint() {
    return peerEndpoint;
  }

  synchronized long promotionSeq() {
    return promotionSeq;
  }

  // ---- primary: writes -----------------------------------------------------------------------------

  /**
   * Orders, applies and queues one write; {@code c} hears the outcome. {@code callerCommits}: the caller
   * calls {@link #commitInline} right after (see {@link LogWriter#append(LogRecord, boolean)}).
   */
  void write(RecordType type, byte[] key, byte[] value, Completion c, boolean callerCommits) {
    long seq;
    boolean sync;
    synchronized (this) {
      if (role != Role.Primary) {
        c.fail(role == Role.Fenced ? LocalProtocol.FENCED : LocalProtocol.NOT_PRIMARY, "this member is " + (role == null ? "unassigned" : role) + " at epoch " + epoch);
        c.flush();
        return;
      }
      if (selfFenced || !leaseOk() || writer.failure() != null) {
        c.fail(LocalProtocol.FENCED, selfFenced ? fenceReason : !leaseOk() ? "primary lease not renewed in time" : "log write failed");
        c.flush();
        return;
      }
      seq = nextSeq++;
      LogRecord r = new LogRecord(seq, term, type, key, value);
      store.state().apply(r);
      // Journal is Synchronous plus the stimulus markers (the seed's strategies 1 and 3 combined): nothing
      // acknowledged is lost, and a promoted standby also knows which stimuli were in flight.
      sync = mode == Mode.SYNCHRONOUS || mode == Mode.JOURNAL;
      // The waiter goes in before the record reaches the writer: its acknowledgement cannot come first.
      synchronized (waitLock) {
        (sync ? syncQ : localQ).add(new Waiter(seq, System.nanoTime(), c));
      }
      writer.append(r, !callerCommits);
    }
    if (!sync && writer.durableSeq() >= seq) progress();
  }

  /**
   * Commits queued records on the calling thread when the log writer is idle (see
   * {@link LogWriter#commitInline}). Call it without holding this object's lock.
   */
  void commitInline() {
    writer.commitInline();
  }

  /** Waits while the log writer has too much queued (see {@link LogWriter#awaitRoom}); not under this lock. */
  void awaitWriterRoom() throws InterruptedException {
    writer.awaitRoom();
  }

  /** Completes the writes whose condition holds: local durability, and the standby's ack where needed. */
  void progress() {
    List<Waiter> done = null;
    synchronized (waitLock) {
      long d = writer.durableSeq();
      while (!localQ.isEmpty() && localQ.peek().seq() <= d) (done == null ? done = new ArrayList<>() : done).add(localQ.poll());
      long both = acksAlone ? d : Math.min(d, standbyAcked);
      while (!syncQ.isEmpty() && syncQ.peek().seq() <= both) (done == null ? done = new ArrayList<>() : done).add(syncQ.poll());
    }
    if (done == null) return;
    boolean ok = serving();
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
      long now = System.nanoTime();
      while (!syncQ.isEmpty() && now - syncQ.peek().startNanos() > limit) (expired == null ? expired = new ArrayList<>() : expired).add(syncQ.poll());
    }
    if (expired == null) return;
    counters.add("writesTimedOut", expired.size());
    for (Waiter w : expired) w.c().fail(LocalProtocol.UNAVAILABLE, "no standby made the write durable within " + cfg.syncTimeoutMillis() + " ms");
    flushAll(expired);
  }

  private void failAll(int status, String message) {
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
    Completion last = null;
    for (Waiter w : ws) {
      if (w.c() != last) w.c().flush(); // completions of one connection flush the same stream: cheap when already flushed
      last = w.c();
    }
  }

  // ---- primary: the standby's progress --------------------------------------------------------------

  synchronized long lastSeq() {
    return nextSeq - 1;
  }

  long durableSeq() {
    return writer.durableSeq();
  }

  long writtenSeq() {
    return writer.writtenSeq();
  }

  synchronized boolean sessionStillValid(long sessionEpoch, Role expected) {
    return role == expected && epoch == sessionEpoch && !selfFenced;
  }

  /**
   * A standby's session is decided (log or snapshot), before the primary tells it its position: from now on
   * every write waits for a standby again. Not later (at its first acknowledgement, or once caught up): the
   * standby calls itself in sync once it reaches the position told it at the start, so a write acknowledged
   * alone after that position would be missing from a standby that is promotable.
   */
  void standbySessionStarting() {
    acksAlone = false;
  }

  /** Whether this primary acknowledges on its own durable write now (OU_DATA_DURABILITY=preferred, no standby yet). */
  boolean acknowledgingAlone() {
    return acksAlone && role() == Role.Primary;
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
  }

  long standbyAckedSeq() {
    return standbyAcked;
  }

  boolean standbyConnected() {
    return standbyConnected;
  }

  void peerHeard() {
    lastPeerFrameNanos = System.nanoTime();
  }

  long peerHeartbeatAgeMillis() {
    return (System.nanoTime() - lastPeerFrameNanos) / 1_000_000;
  }

  // ---- standby ---------------------------------------------------------------------------------------

  /** What this member holds durably as the standby at {@code sessionEpoch}, after draining the writer. */
  Messages.Position position(long sessionEpoch) throws InterruptedException, ProtocolException {
    writer.drain();
    synchronized (this) {
      stillStandbyAt(sessionEpoch);
      return new Messages.Position(store.log().lastSeq(), store.log().history());
    }
  }

  /**
   * Refuses a primary's plan or records unless this member is still the standby at the session's epoch. Called
   * under this lock, in the same critical section as the change it guards: a promotion (which appends this
   * member's TERM_START under this lock) can then never slip between the check and the cut or the append.
   */
  private void stillStandbyAt(long sessionEpoch) throws ProtocolException {
    if (role != Role.Standby || epoch != sessionEpoch) {
      counters.inc("replicationPlansSuperseded");
      throw new ProtocolException(Refusal.SUPERSEDED, "this member is " + role + " at epoch " + epoch + ", the session was at " + sessionEpoch);
    }
  }

  /** Cuts everything after {@code seq}; false when this member had to start over empty instead. */
  boolean cutAfter(long sessionEpoch, long seq) throws IOException, InterruptedException, ProtocolException {
    boolean[] kept = {true};
    synchronized (this) {
      stillStandbyAt(sessionEpoch);
      writer.exclusive(() -> {
        if (!store.cutAfter(seq)) {
          Logs.warn("diverged below this member's snapshot; starting over empty");
          store.wipe();
          kept[0] = false;
        }
        return store.log().lastSeq();
      });
      nextSeq = store.log().lastSeq() + 1;
    }
    return kept[0];
  }

  /** Applies records from the primary's stream and queues them; {@code callerCommits} as for {@link #write}. */
  void applyReplicated(long sessionEpoch, byte[] raw, List<LogRecord> records, boolean callerCommits) throws ProtocolException {
    synchronized (this) {
      stillStandbyAt(sessionEpoch);
      KvState state = store.state();
      for (LogRecord r : records) state.apply(r);
      long last = records.get(records.size() - 1).seq();
      writer.appendRaw(raw, last, !callerCommits);
      nextSeq = last + 1;
    }
  }

  void installSnapshot(long sessionEpoch, Path verified, Snapshots.Loaded loaded) throws IOException, InterruptedException, ProtocolException {
    synchronized (this) {
      stillStandbyAt(sessionEpoch);
      writer.exclusive(() -> {
        store.install(verified, loaded);
        return loaded.seq();
      });
      nextSeq = loaded.seq() + 1;
    }
    counters.inc("snapshotsInstalled");
  }

  void streaming(boolean on) {
    // Whether the stream stopped while this standby was in sync: in Synchronous and Journal modes the
    // primary acknowledges nothing its standby does not hold, so such a standby stays promotable.
    if (!on) heldAllAtLoss = inSync();
    else heldAllAtLoss = false;
    streaming = on;
    if (!on) catchUpTarget = Long.MAX_VALUE;
  }

  void primaryPosition(long lastSeq) {
    primaryLastSeq = lastSeq;
    if (catchUpTarget == Long.MAX_VALUE) catchUpTarget = lastSeq;
  }

  /**
   * A standby holding everything the primary acknowledged: streaming, caught up and the peer alive; or,
   * in Synchronous and Journal modes, one that was so when its primary fell silent (a primary that
   * cannot reach its standby cannot acknowledge anything more). That is the one to promote.
   */
  boolean inSync() {
    if (writer.durableSeq() < store.exactFromSeq()) return false; // a snapshot from the primary not yet made exact by the stream
    boolean live = streaming && peerHeartbeatAgeMillis() <= cfg.peerLostAfterMillis();
    if (live) return writer.durableSeq() >= catchUpTarget;
    if (mode == Mode.ASYNCHRONOUS) return false;
    return heldAllAtLoss || (streaming && writer.durableSeq() >= catchUpTarget);
  }

  /** Updates this member trails by; null for a standby that has not heard its primary since it started (it may hold nothing). */
  Long lag() {
    Role r = role();
    if (r == Role.Primary) return standbyAcked < 0 ? lastSeq() : Math.max(0, lastSeq() - standbyAcked);
    return primaryLastSeq < 0 ? null : Math.max(0, primaryLastSeq - writer.durableSeq());
  }

  /** Snapshots for retention and for a standby the log cannot serve. */
  ReplicaSnapshots snapshots() {
    return snapshots;
  }

  Store store() {
    return store;
  }

  synchronized List<String> statusLines() {
    List<String> l = new ArrayList<>();
    l.add("role=" + (role == null ? "UNASSIGNED" : role.name().toUpperCase()));
    l.add("epoch=" + epoch);
    l.add("term=" + Terms.format(term));
    l.add("mode=" + mode.label());
    l.add("serving=" + (role == Role.Primary && !selfFenced && leaseOk()));
    l.add("fenceReason=" + fenceReason);
    l.add("lastSeq=" + (nextSeq - 1));
    l.add("durableSeq=" + writer.durableSeq());
    l.add("firstLogSeq=" + store.log().firstSeq());
    l.add("snapshotSeq=" + store.snapshotSeq());
    l.add("exactFromSeq=" + store.exactFromSeq());
    l.add("keys=" + store.state().size());
    l.add("stateBytes=" + store.state().bytes());
    l.add("promotionSeq=" + promotionSeq);
    l.add("standbyAckedSeq=" + standbyAcked);
    l.add("acknowledgingAlone=" + acknowledgingAlone());
    l.add("standbyConnected=" + standbyConnected);
    l.add("primaryLastSeq=" + primaryLastSeq);
    l.add("streaming=" + streaming);
    l.add("inSync=" + inSync());
    Long lag = lag();
    l.add("lag=" + (lag == null ? "unknown" : lag));
    l.add("peer=" + (peerEndpoint == null ? "" : peerEndpoint));
    l.add("peerHeartbeatAgeMillis=" + peerHeartbeatAgeMillis());
    l.add("peerLost=" + (peerHeartbeatAgeMillis() > cfg.peerLostAfterMillis()));
    l.add("fsync=" + cfg.fsync());
    return l;
  }
}
