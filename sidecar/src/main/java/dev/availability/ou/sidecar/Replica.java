package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.RecordType;
import java.io.IOException;
import java.util.List;
import java.util.Properties;
import java.util.function.LongSupplier;

/**
 * The member's replicated state and its role: sequences writes on a primary and acknowledges them per
 * the mode, applies the stream on a standby, fences itself when deposed or when its lease lapses.
 * One lock (this object) orders sequencing, applying and role changes; waiters have their own.
 * Its parts: the primary's acknowledgement bookkeeping ({@link WriteAcknowledgements}), the lease
 * ({@link PrimaryLeaseState}), the standby's stream state ({@link StandbyProgress}) and applying it
 * ({@link StreamApplier}), the listeners ({@link ReplicaListeners}) and the status lines ({@link ReplicaStatus}).
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

  private final Config cfg;
  private final Store store;
  private final LogWriter writer;
  private final Counters counters;
  private final ReplicaListeners listeners = new ReplicaListeners();
  private final ReplicaSnapshots snapshots;
  private final WriteAcknowledgements acks; // primary side
  private final StandbyProgress standby; // standby side
  private final PrimaryLeaseState lease;
  private final PrimaryWrites writes;
  private final StreamApplier applier;
  private final LongSupplier nanoTime;

  private final RoleState current = new RoleState();
  private final QuarantinedStimuli quarantine = new QuarantinedStimuli();
  private final UnavailableDependencies dependencies = new UnavailableDependencies();
  private final RoleAssignment assignment;
  private final Reprocessing reprocessing;
  private volatile long lastPeerFrameNanos;

  /** {@code nanoTime}: the clock the lease, the peer's heartbeats and the write timeouts are read on (tests drive it). */
  Replica(Config cfg, Store store, LogWriter writer, Counters counters, LongSupplier nanoTime)
      throws IOException {
    this.cfg = cfg;
    this.nanoTime = nanoTime;
    this.lastPeerFrameNanos = nanoTime.getAsLong();
    this.store = store;
    this.writer = writer;
    this.counters = counters;
    current.mode = cfg.mode();
    current.nextSeq = store.log().lastSeq() + 1;
    this.acks = new WriteAcknowledgements(cfg, writer, counters, this::serving, nanoTime);
    this.standby =
        new StandbyProgress(cfg, store, writer, this::mode, this::peerHeartbeatAgeMillis);
    this.lease = new PrimaryLeaseState(
        cfg, counters, this::mode, acks, this::peerHeartbeatAgeMillis, nanoTime);
    this.writes = new PrimaryWrites(this, current, store, writer, counters, acks, lease);
    this.applier = new StreamApplier(this, store, writer, counters);
    this.snapshots = new ReplicaSnapshots(this, cfg, store, writer);
    this.assignment =
        new RoleAssignment(this, current, cfg, store, writer, counters, acks, standby, listeners);
    this.reprocessing = new Reprocessing(this, store);
    Properties p = store.member();
    current.epoch = Long.parseLong(p.getProperty("epoch", "0"));
    writer.listen(listeners::written, s -> {
      acks.progress();
      listeners.durable(s);
    });
  }

  // ---- role -------------------------------------------------------------------------------------

  /** Takes an assignment. Older epochs are ignored; returns whether anything changed ({@link RoleAssignment}). */
  boolean assign(Role newRole, long newEpoch, String peer, Mode newMode, String reason)
      throws IOException {
    return assign(newRole, newEpoch, peer, null, newMode, reason);
  }

  /** As above, with a catching-up next peer (make-before-break; {@link RoleAssignment}). */
  boolean assign(
      Role newRole, long newEpoch, String peer, String nextPeer, Mode newMode, String reason)
      throws IOException {
    return assignment.assign(newRole, newEpoch, peer, nextPeer, newMode, reason);
  }

  /** Makes a next peer that caught up the peer, where an assignment said so before it had. */
  void completeHandover() {
    assignment.completeHandover();
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
      if (current.role != Role.Primary || current.selfFenced) return;
      current.selfFenced = true;
      current.fenceReason = reason;
      counters.inc(counter);
      Logs.warn("self-fenced: " + current.fenceReason);
      view = view(current.fenceReason);
    }
    acks.failAll(LocalProtocol.FENCED, current.fenceReason);
    listeners.publish(view);
  }

  /** Lease bookkeeping (Kubernetes control): writes are acknowledged only before {@code validUntilNanos}. */
  void leaseRequired(boolean required) {
    lease.required(required);
  }

  /** A renewal is being sent: writes may wait for its answer up to {@code holdLimitMillis} (LeaseRenewalHold). */
  void leaseRenewalSending(long holdLimitMillis) {
    lease.renewalSending(holdLimitMillis);
  }

  void leaseRenewed(long validUntilNanos) {
    lease.renewed(validUntilNanos);
    checkServing("lease renewed");
  }

  /** The lease will be no longer valid than {@code validUntilNanos} (a shorter duration about to be written). */
  void leaseCapped(long validUntilNanos) {
    lease.capped(validUntilNanos);
    checkServing("lease duration shortened");
  }

  /** A renewal failed: {@code takenAway} when the API server said the lease is not ours, else it was not reached. */
  void leaseNotRenewed(boolean takenAway, String why) {
    lease.notRenewed(takenAway, why, current.epoch);
    checkServing("lease renewal failed: " + why);
  }

  /** The standby confirms this primary: its lease need not be written (LeaseFailsafe.confirms). */
  boolean confirmedByStandby() {
    return current.role == Role.Primary && lease.confirmedByStandby();
  }

  /** Serving past the lease on the standby's confirmation (LeaseFailsafe): API server unreachable, or renewals skipped. */
  long confirmationLeftMillis() {
    return lease.confirmationLeftMillis();
  }

  boolean failsafe() {
    return lease.failsafe();
  }

  /** Unsynchronized on purpose: the log writer asks it while another thread may hold this lock. */
  boolean serving() {
    return lease.serving(current.role, current.selfFenced, writer.failure() != null);
  }

  /**
   * Re-evaluates whether this primary serves (lease expiry, recovery) and tells listeners on a change. A lapse that
   * {@link LeaseRenewalHold} holds writes for fails none of them until the hold ends; serving again releases them.
   */
  void checkServing(String why) {
    RoleView view = null;
    boolean now;
    boolean failWaiting;
    List<HeldWrites.Held> refused = List.of();
    synchronized (this) {
      now = serving();
      boolean wasHolding = writes.holding();
      boolean holding = false;
      if (now) writes.serving();
      else holding = writes.holds();
      failWaiting = !now && !holding && (current.wasServing || wasHolding);
      if (now != current.wasServing) {
        current.wasServing = now;
        String reason = now
            ? why
            : holding
                ? "lease not renewed in time: writes held for the renewal in flight"
                : lease.ok() ? why : "lease not renewed in time: stopped acknowledging writes";
        if (!now) counters.inc("leaseLapses");
        Logs.warn("serving=" + now + ": " + reason);
        view = view(reason);
      }
      if (failWaiting) refused = writes.drainHeld();
      // A hold that ended without a renewal: the application hears it stopped serving now.
      if (failWaiting && view == null)
        view = view("lease not renewed in time: stopped acknowledging writes");
    }
    if (failWaiting) {
      acks.failAll(
          LocalProtocol.FENCED,
          lease.ok() ? why : "lease not renewed in time: stopped acknowledging writes");
      for (HeldWrites.Held h : refused) writes.refuse(h.c());
    }
    if (view != null) listeners.publish(view);
  }

  synchronized RoleView view(String reason) {
    return new RoleView(
        current.role,
        current.epoch,
        // Not while writes are held for a renewal (LeaseRenewalHold): reads must not be served
        // then; an application sends a primary its writes whatever this says (the kvstore does).
        current.role == Role.Primary && !current.selfFenced && lease.ok(),
        reason);
  }

  /** The role for the report: a primary that was deposed acts as fenced. */
  Role reportedRole() {
    return current.role == Role.Primary && current.selfFenced ? Role.Fenced : current.role;
  }

  synchronized Role role() {
    return current.role;
  }

  synchronized long epoch() {
    return current.epoch;
  }

  Mode mode() {
    return current.mode;
  }

  synchronized String peerEndpoint() {
    return current.peerEndpoint;
  }

  /** The catching-up standby this primary streams to as well (make-before-break), or null. */
  synchronized String nextPeerEndpoint() {
    return current.nextPeerEndpoint;
  }

  synchronized long promotionSeq() {
    return current.promotionSeq;
  }

  synchronized long term() {
    return current.term;
  }

  synchronized String fenceReason() {
    return current.fenceReason;
  }

  // ---- primary: writes --------------------------------------------------------------------------

  /**
   * Orders, applies and queues one write; {@code c} hears the outcome. {@code callerCommits}: the caller
   * calls {@link #commitInline} right after (see {@link LogWriter#append(LogRecord, boolean)}).
   */
  void write(RecordType type, byte[] key, byte[] value, Completion c, boolean callerCommits) {
    writes.write(type, key, value, c, callerCommits);
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

  // ---- sequence and peer ------------------------------------------------------------------------

  synchronized long lastSeq() {
    return current.nextSeq - 1;
  }

  /** Where the next record goes after the stream changed the log (StreamApplier, under this lock). */
  synchronized void nextSeq(long next) {
    current.nextSeq = next;
  }

  long durableSeq() {
    return writer.durableSeq();
  }

  long writtenSeq() {
    return writer.writtenSeq();
  }

  synchronized boolean sessionStillValid(long sessionEpoch, Role expected) {
    return current.role == expected && current.epoch == sessionEpoch && !current.selfFenced;
  }

  /** Whether this primary acknowledges on its own durable write now (OU_DATA_DURABILITY=preferred, no standby yet). */
  boolean acknowledgingAlone() {
    return acks.acksAlone() && role() == Role.Primary;
  }

  void peerHeard() {
    lastPeerFrameNanos = nanoTime.getAsLong();
  }

  long peerHeartbeatAgeMillis() {
    return (nanoTime.getAsLong() - lastPeerFrameNanos) / 1_000_000;
  }

  /** The clock this replica reads time on; the lease's valid-until instants are on it too (LeaseKeeper). */
  LongSupplier nanoTime() {
    return nanoTime;
  }

  /** Updates this member trails by; null for a standby that has not heard its primary since it started (it may hold nothing). */
  Long lag() {
    Role r = role();
    if (r == Role.Primary)
      return acks.standbyAckedSeq() < 0
          ? lastSeq()
          : Math.max(0, lastSeq() - acks.standbyAckedSeq());
    return standby.lag();
  }

  /** The primary side's acknowledgement bookkeeping: waiting writes and the standby's progress. */
  WriteAcknowledgements acknowledgements() {
    return acks;
  }

  /** The standby side's view of its stream, and whether it is in sync. */
  StandbyProgress standbyProgress() {
    return standby;
  }

  /** Applies what the primary sends while this member is its standby. */
  StreamApplier streamApplier() {
    return applier;
  }

  /** Who hears of written and durable records and of role changes. */
  ReplicaListeners listeners() {
    return listeners;
  }

  /** Snapshots for retention and for a standby the log cannot serve. */
  ReplicaSnapshots snapshots() {
    return snapshots;
  }

  /** The stimuli the operator's assignment says the application must not reprocess. */
  QuarantinedStimuli quarantine() {
    return quarantine;
  }

  /** Sets the unavailable dependencies; a change is a WATCH event at once (same role and epoch). */
  void dependencies(java.util.List<String> unavailable) {
    if (dependencies.set(unavailable)) listeners.publish(view(dependencies.reason()));
  }

  UnavailableDependencies dependencies() {
    return dependencies;
  }

  /** The stimuli a promoted member's previous primary had in flight, and those the application reprocesses. */
  Reprocessing reprocessing() {
    return reprocessing;
  }

  Store store() {
    return store;
  }

  List<String> statusLines() {
    return ReplicaStatus.lines(this, cfg, store, writer);
  }
}
