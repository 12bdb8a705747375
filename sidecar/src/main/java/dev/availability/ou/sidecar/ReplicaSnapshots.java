package dev.availability.ou.sidecar;

import dev.availability.ou.replication.Snapshots;
import dev.availability.ou.replication.TermHistory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A replica's snapshots: taken for log retention, and chosen for a standby the log can no longer serve. */
final class ReplicaSnapshots {
  private final Replica replica;
  private final Config cfg;
  private final Store store;
  private final LogWriter writer;
  private final Object snapshotLock = new Object();
  private final DurableSeqWait durable;

  ReplicaSnapshots(Replica replica, Config cfg, Store store, LogWriter writer) {
    this.replica = replica;
    this.cfg = cfg;
    this.store = store;
    this.writer = writer;
    this.durable = new DurableSeqWait(writer::durableSeq, writer::failure);
    replica.listeners().onDurable(durable::reached);
  }

  /**
   * Takes a snapshot of the current state and trims the log per retention. The state streams to the
   * file while updates go on (nothing is copied); the file counts once the log holds every update it
   * may contain durably. One at a time.
   */
  Snapshots.Loaded snapshotNow() throws IOException, InterruptedException {
    synchronized (snapshotLock) {
      while (true) {
        long seq;
        TermHistory history;
        Store.SnapshotStart start;
        synchronized (replica) { // the replica's lock: no update between the state and the history
          start = store.snapshotStart();
          seq = start.state().appliedSeq();
          history = store.log().history();
        }
        history.truncateAfter(seq);
        Snapshots.Written w =
            store.snapshots().write(start.state(), seq, start.exactFromSeq(), history);
        try {
          durable.await(w.consistentSeq());
        } catch (IOException writerFailed) {
          store.snapshots().discard(w);
          throw writerFailed;
        }
        Path p = store.commitSnapshot(w, start, cfg.logRetentionBytes(), cfg.snapshotsKept());
        if (p != null) return new Snapshots.Loaded(p, w.seq(), w.consistentSeq(), history, null);
        Logs.info("the state was replaced while a snapshot was written; writing it again");
      }
    }
  }

  /** Retention: snapshot and trim once the log is well past its retention. */
  void maintain() {
    try {
      if (store.log().sizeBytes() > cfg.logRetentionBytes() + 2 * cfg.segmentBytes()) snapshotNow();
    } catch (IOException | InterruptedException e) {
      Logs.error("snapshot for retention failed", e);
    }
  }

  /** The snapshot to send to a standby the log cannot serve: the newest, if the log continues it, else a new one. */
  Snapshots.Loaded snapshotForTransfer() throws IOException, InterruptedException {
    List<Path> list = store.snapshots().list();
    if (!list.isEmpty()) {
      Path newest = list.get(list.size() - 1);
      String n = newest.getFileName().toString();
      long seq = Long.parseLong(n.substring("snapshot-".length(), n.indexOf('.')));
      if (seq + 1 >= store.log().firstSeq())
        return new Snapshots.Loaded(
            newest, seq, -1, null, null); // its consistent sequence is in the file
    }
    return snapshotNow();
  }
}
