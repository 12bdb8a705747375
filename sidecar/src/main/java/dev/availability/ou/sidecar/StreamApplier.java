package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.KvState;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.Messages;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.Refusal;
import dev.availability.ou.replication.Snapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Applies what the primary sends this standby (its position first, then a cut, records or a snapshot), each
 * under the replica's lock and only while this member is still the standby at the session's epoch.
 */
final class StreamApplier {
  private final Replica replica;
  private final Store store;
  private final LogWriter writer;
  private final Counters counters;

  StreamApplier(Replica replica, Store store, LogWriter writer, Counters counters) {
    this.replica = replica;
    this.store = store;
    this.writer = writer;
    this.counters = counters;
  }

  /** What this member holds durably as the standby at {@code sessionEpoch}, after draining the writer. */
  Messages.Position position(long sessionEpoch) throws InterruptedException, ProtocolException {
    writer.drain();
    synchronized (replica) {
      stillStandbyAt(sessionEpoch);
      return new Messages.Position(store.log().lastSeq(), store.log().history());
    }
  }

  /**
   * Refuses a primary's plan or records unless this member is still the standby at the session's epoch. Called
   * under the replica's lock, in the same critical section as the change it guards: a promotion (which appends this
   * member's TERM_START under that lock) can then never slip between the check and the cut or the append.
   */
  private void stillStandbyAt(long sessionEpoch) throws ProtocolException {
    Role role = replica.role();
    long epoch = replica.epoch();
    if (role != Role.Standby || epoch != sessionEpoch) {
      counters.inc("replicationPlansSuperseded");
      throw new ProtocolException(
          Refusal.SUPERSEDED,
          "this member is " + role + " at epoch " + epoch + ", the session was at " + sessionEpoch);
    }
  }

  /**
   * Cuts everything after {@code seq}; false when this member had to start over empty instead. {@code holds} learns,
   * in the same critical section, how far the log now holds the session's records (so do the methods below).
   */
  boolean cutAfter(long sessionEpoch, long seq, LongConsumer holds)
      throws IOException, InterruptedException, ProtocolException {
    boolean[] kept = {true};
    synchronized (replica) {
      stillStandbyAt(sessionEpoch);
      writer.exclusive(() -> {
        if (!store.cutAfter(seq)) {
          Logs.warn("diverged below this member's snapshot; starting over empty");
          store.wipe();
          kept[0] = false;
        }
        return store.log().lastSeq();
      });
      replica.nextSeq(store.log().lastSeq() + 1);
      holds.accept(store.log().lastSeq());
    }
    return kept[0];
  }

  /**
   * Applies records from the primary's stream and queues them; {@code callerCommits} as for {@link Replica#write},
   * {@code paced} as for {@link LogWriter#appendRaw}.
   */
  void applyReplicated(
      long sessionEpoch,
      byte[] raw,
      List<LogRecord> records,
      boolean callerCommits,
      boolean paced,
      LongConsumer holds)
      throws ProtocolException {
    synchronized (replica) {
      stillStandbyAt(sessionEpoch);
      KvState state = store.state();
      for (LogRecord r : records) state.apply(r);
      long last = records.get(records.size() - 1).seq();
      holds.accept(last); // before the append: the writer may make it durable (and ACK it) at once
      writer.appendRaw(raw, last, !callerCommits, paced);
      replica.nextSeq(last + 1);
    }
  }

  void installSnapshot(
      long sessionEpoch, Path verified, Snapshots.Loaded loaded, LongConsumer holds)
      throws IOException, InterruptedException, ProtocolException {
    synchronized (replica) {
      stillStandbyAt(sessionEpoch);
      writer.exclusive(() -> {
        store.install(verified, loaded);
        return loaded.seq();
      });
      replica.nextSeq(loaded.seq() + 1);
      holds.accept(loaded.seq());
    }
    counters.inc("snapshotsInstalled");
  }
}
