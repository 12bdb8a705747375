package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.RecordType;
import java.util.List;

/**
 * A primary's write path, under the {@link Replica}'s lock: takes a write (orders, applies, queues it for its
 * acknowledgement), refuses it with why, or holds it while the lease's renewal is in flight ({@link
 * LeaseRenewalHold}, {@link HeldWrites}) and sequences the held ones, oldest first, once the primary serves again.
 */
final class PrimaryWrites {
  private final Replica replica;
  private final RoleState current;
  private final Store store;
  private final LogWriter writer;
  private final Counters counters;
  private final WriteAcknowledgements acks;
  private final PrimaryLeaseState lease;
  private final HeldWrites held = new HeldWrites();

  PrimaryWrites(
      Replica replica,
      RoleState current,
      Store store,
      LogWriter writer,
      Counters counters,
      WriteAcknowledgements acks,
      PrimaryLeaseState lease) {
    this.replica = replica;
    this.current = current;
    this.store = store;
    this.writer = writer;
    this.counters = counters;
    this.acks = acks;
    this.lease = lease;
  }

  /** {@link Replica#write}. */
  void write(
      RecordType type, byte[] key, byte[] value, Replica.Completion c, boolean callerCommits) {
    long seq;
    boolean sync;
    synchronized (replica) {
      boolean refused = current.role != Role.Primary
          || current.selfFenced
          || !lease.ok()
          || writer.failure() != null;
      if (refused && holds()) {
        held.add(new HeldWrites.Held(type, key, value, c));
        counters.inc("writesHeldForRenewal");
        return;
      }
      if (refused) {
        for (HeldWrites.Held h : held.drain()) refuse(h.c()); // the hold just ended
        refuse(c);
        return;
      }
      releaseHeld(); // held before this one, for a renewal answered since
      sync = sync();
      seq = sequence(type, key, value, c, callerCommits);
    }
    if (!sync && writer.durableSeq() >= seq) acks.progress();
  }

  /** Under the replica's lock, the lease not ok: whether writes wait for the renewal (once per lapse). */
  boolean holds() {
    return held.holds(
        replica.nanoTime().getAsLong(),
        lapsedFor -> lease.holdsWrites(
            current.role, current.selfFenced, writer.failure() != null, lapsedFor));
  }

  /** Whether writes are held for a renewal now. */
  boolean holding() {
    return held.holding();
  }

  /** Under the replica's lock, the primary serving: the lapse is over, and the held writes are sequenced. */
  void serving() {
    held.serving();
    releaseHeld();
  }

  /** The held writes, to refuse (the hold ended without the primary serving again). */
  List<HeldWrites.Held> drainHeld() {
    return held.drain();
  }

  private void releaseHeld() {
    if (held.isEmpty()) return;
    List<HeldWrites.Held> all = held.drain();
    counters.add("writesReleasedAfterRenewal", all.size());
    // Synchronous or Journal (LeaseRenewalHold): each waits for the standby, nothing to complete
    // here.
    for (HeldWrites.Held h : all) sequence(h.type(), h.key(), h.value(), h.c(), false);
  }

  /** Fails a write the member does not take now, with why. */
  void refuse(Replica.Completion c) {
    if (current.role != Role.Primary)
      c.fail(
          current.role == Role.Fenced ? LocalProtocol.FENCED : LocalProtocol.NOT_PRIMARY,
          "this member is " + (current.role == null ? "unassigned" : current.role) + " at epoch "
              + current.epoch);
    else
      c.fail(
          LocalProtocol.FENCED,
          current.selfFenced
              ? current.fenceReason
              : !lease.ok() ? "primary lease not renewed in time" : "log write failed");
    c.flush();
  }

  // Journal is Synchronous plus the stimulus markers (the seed's strategies 1 and 3 combined):
  // nothing acknowledged is lost, and a promoted standby also knows which stimuli were in flight.
  private boolean sync() {
    return current.mode == Mode.SYNCHRONOUS || current.mode == Mode.JOURNAL;
  }

  private long sequence(
      RecordType type, byte[] key, byte[] value, Replica.Completion c, boolean callerCommits) {
    long seq = current.nextSeq++;
    LogRecord r = new LogRecord(seq, current.term, type, key, value);
    store.state().apply(r);
    // The waiter goes in before the record reaches the writer: its acknowledgement cannot come
    // first.
    acks.enqueue(sync(), seq, c);
    writer.append(r, !callerCommits);
    return seq;
  }
}
