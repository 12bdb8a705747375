package dev.availability.ou.sidecar;

import dev.availability.ou.replication.KvState;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.SegmentLog;
import dev.availability.ou.replication.Snapshots;
import dev.availability.ou.replication.TermHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a member holds on its volume: {@code log/} (segments), {@code snapshots/}, {@code member.properties}
 * (highest epoch seen, primary incarnation) and {@code incoming/} (a snapshot being received).
 * Recovery at open: newest valid snapshot, then the log after it (a torn tail cut off), replayed.
 * Snapshots are fuzzy ({@link Snapshots}): the state is exact once the log reaches the snapshot's
 * consistent sequence, which a member's own snapshots always hold, and one installed from the primary
 * reaches as the stream catches up.
 */
final class Store implements AutoCloseable {
  private final Path dir;
  private final Limits limits;
  private final long segmentBytes;
  private final Counters counters;
  private final Snapshots snapshots;
  private SegmentLog log;
  private volatile KvState state;
  private volatile long snapshotSeq;
  private volatile long snapshotConsistentSeq;
  private volatile long exactFromSeq;
  private long
      generation; // install, cut, wipe: a snapshot written across one of them is discarded; guarded
  // by this

  Store(Path dir, Limits limits, long segmentBytes, Counters counters) throws IOException {
    this.dir = dir;
    this.limits = limits;
    this.segmentBytes = segmentBytes;
    this.counters = counters;
    Files.createDirectories(dir.resolve("incoming"));
    this.snapshots = new Snapshots(dir.resolve("snapshots"), limits);
    open();
  }

  private void open() throws IOException {
    Snapshots.LoadResult snap = snapshots.loadNewest();
    for (String r : snap.rejected()) {
      counters.inc("snapshotsRejected");
      Logs.warn("snapshot rejected at recovery: " + r);
    }
    Snapshots.Loaded loaded = snap.loaded();
    snapshotSeq = loaded == null ? 0 : loaded.seq();
    snapshotConsistentSeq = exactFromSeq = loaded == null ? 0 : loaded.consistentSeq();
    TermHistory history = loaded == null ? new TermHistory() : loaded.history();
    log = SegmentLog.open(dir.resolve("log"), limits, segmentBytes, snapshotSeq, history);
    SegmentLog.Recovery rec = log.recovery();
    if (rec.cut()) {
      counters.inc("logTailsCut");
      counters.add("logBytesCut", rec.bytesCut());
      counters.note(
          "lastLogCut", rec.cutReason() + " at seq " + rec.cutAtSeq() + ": " + rec.detail());
      Logs.warn("log recovery cut the log at seq " + rec.cutAtSeq() + " (" + rec.cutReason() + "): "
          + rec.detail() + "; " + rec.bytesCut() + " bytes, " + rec.segmentsDropped()
          + " segments dropped");
    }
    state = loaded == null ? new KvState(0) : loaded.state();
    replay(log.lastSeq());
    if (log.lastSeq() < exactFromSeq) {
      Logs.warn("the log ends at " + log.lastSeq() + ", before " + exactFromSeq
          + " where the snapshot received from the primary becomes exact:"
          + " this member is not in sync until the stream reaches it");
    }
    Logs.info("recovered: snapshot at " + snapshotSeq
        + (snapshotConsistentSeq > snapshotSeq ? " (exact from " + snapshotConsistentSeq + ")" : "")
        + ", log " + log.firstSeq() + ".." + log.lastSeq() + ", " + state.size() + " keys, terms "
        + log.history());
  }

  private void replay(long upTo) throws IOException {
    long s = state.appliedSeq() + 1;
    while (s <= upTo) {
      SegmentLog.Chunk c = log.read(s, upTo, 1 << 20);
      byte[] b = c.bytes();
      int off = 0;
      while (off < b.length) {
        try {
          LogRecord r = LogRecord.decode(b, off, b.length, limits);
          state.apply(r);
          off += r.encodedSize();
        } catch (ProtocolException e) {
          throw new IOException("log verified at open no longer decodes: " + e.getMessage());
        }
      }
      s = c.lastSeq() + 1;
    }
  }

  SegmentLog log() {
    return log;
  }

  KvState state() {
    return state;
  }

  long snapshotSeq() {
    return snapshotSeq;
  }

  /** The state is exact, a prefix of the history, once the log holds this sequence. */
  long exactFromSeq() {
    return exactFromSeq;
  }

  /** Where a snapshot begins: the state to stream and the generation to check at {@link #commitSnapshot}. */
  record SnapshotStart(KvState state, long exactFromSeq, long generation) {}

  synchronized SnapshotStart snapshotStart() {
    return new SnapshotStart(state, exactFromSeq, generation);
  }

  Snapshots snapshots() {
    return snapshots;
  }

  Path incomingDir() {
    return dir.resolve("incoming");
  }

  /**
   * Cuts the log after {@code seq} and rebuilds the state from the snapshot and the log. Returns false
   * (changing nothing) when a snapshot already covers entries after {@code seq}: the member must start over.
   */
  synchronized boolean cutAfter(long seq) throws IOException {
    if (seq >= log.lastSeq()) return true;
    if (seq < snapshotConsistentSeq) return false; // the snapshot may hold updates after seq
    generation++;
    long cut = log.lastSeq() - seq;
    log.truncateAfter(seq);
    counters.add("tailRecordsCut", cut);
    Snapshots.LoadResult snap = snapshots.loadNewest();
    state = snap.loaded() == null ? new KvState(0) : snap.loaded().state();
    replay(seq);
    exactFromSeq = snap.loaded() == null ? 0 : snap.loaded().consistentSeq();
    return true;
  }

  /** Forgets everything (a diverged member whose snapshot covers the divergence starts empty). */
  synchronized void wipe() throws IOException {
    generation++;
    log.close();
    for (String sub : new String[] {"log", "snapshots"}) {
      try (Stream<Path> s = Files.walk(dir.resolve(sub))) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList())
          if (!p.equals(dir.resolve(sub))) Files.delete(p);
      }
    }
    counters.inc("wipes");
    open();
  }

  /**
   * Puts a snapshot written from {@link #snapshotStart} in place, once the log holds its consistent
   * sequence durably, and drops log segments before it beyond retention. Null (the file discarded) when
   * the state was replaced meanwhile.
   */
  synchronized Path commitSnapshot(
      Snapshots.Written w, SnapshotStart start, long retentionBytes, int keep) throws IOException {
    if (start.generation() != generation) {
      snapshots.discard(w);
      return null;
    }
    Path p = snapshots.commit(w);
    snapshotSeq = w.seq();
    snapshotConsistentSeq = w.consistentSeq();
    log.dropBefore(w.seq() + 1, retentionBytes);
    snapshots.retain(keep);
    counters.inc("snapshotsTaken");
    return p;
  }

  /** Installs a verified snapshot received from the primary: the log restarts after it. */
  synchronized void install(Path verified, Snapshots.Loaded loaded) throws IOException {
    generation++;
    log.reset(loaded.seq(), loaded.history());
    snapshots.install(verified, loaded.seq());
    snapshotSeq = loaded.seq();
    snapshotConsistentSeq = exactFromSeq = loaded.consistentSeq();
    state = loaded.state();
  }

  // ---- member.properties: highest epoch seen and the primary incarnation ------------------------

  Properties member() throws IOException {
    Properties p = new Properties();
    Path f = dir.resolve("member.properties");
    if (Files.exists(f)) {
      try (InputStream in = Files.newInputStream(f)) {
        p.load(in);
      }
    }
    return p;
  }

  void saveMember(Properties p) throws IOException {
    Path tmp = dir.resolve("member.properties.tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "ou-sidecar member state");
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(
        tmp,
        dir.resolve("member.properties"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    dev.availability.ou.replication.DirectorySync.force(
        dir); // the new epoch survives a power loss, not only a crash
  }

  @Override
  public void close() throws IOException {
    log.close();
  }
}
