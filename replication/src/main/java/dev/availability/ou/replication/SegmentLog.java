package dev.availability.ou.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only log: segment files {@code <first seq, 20 digits>.log}, each a 16-byte header
 * ({@code OULOG001} and the first sequence) followed by {@link LogRecord}s with consecutive sequences.
 *
 * <p>On open every segment is scanned; at the first record that is cut short, fails its checksum, is
 * malformed or breaks the sequence, the file is cut there and later segments are removed (a torn tail
 * is cut off, never applied), and the {@link Recovery} says so ({@link SegmentRecovery}). Appends are not durable until
 * {@link #force()} returns; the caller decides when (the fsync policy).
 *
 * <p>Thread-safety: appends, truncation and retention come from one writer thread; reads may come from
 * any thread. {@link #force()} runs outside the lock so readers are not held up by an fsync.
 */
public final class SegmentLog implements AutoCloseable {
  static final byte[] MAGIC = "OULOG001".getBytes(StandardCharsets.US_ASCII);
  static final int SEGMENT_HEADER = 16;

  /** What opening the log found. */
  public record Recovery(
      long firstSeq,
      long lastSeq,
      int segments,
      boolean cut,
      long cutAtSeq,
      Refusal cutReason,
      String detail,
      long bytesCut,
      int segmentsDropped) {
    public static Recovery clean(long first, long last, int segments) {
      return new Recovery(first, last, segments, false, 0, null, null, 0, 0);
    }
  }

  /** A run of whole encoded records read from the log. */
  public record Chunk(long firstSeq, long lastSeq, byte[] bytes) {
    public int count() {
      return (int) (lastSeq - firstSeq + 1);
    }
  }

  private final Path dir;
  private final long segmentBytes;
  private final List<LogSegment> segments = new ArrayList<>();
  private TermHistory history;
  private long baseSeq; // everything up to here is covered by a snapshot (or nothing: 0)
  private long nextSeq;
  private final Recovery recovery;
  private volatile FileChannel unforcedRolled; // a rolled segment not yet fsynced

  private SegmentLog(Path dir, Limits limits, long segmentBytes, long baseSeq, TermHistory history)
      throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.baseSeq = baseSeq;
    this.history = history.copy();
    this.history.truncateAfter(baseSeq);
    this.nextSeq = baseSeq + 1;
    Files.createDirectories(dir);
    SegmentRecovery opening = new SegmentRecovery(dir, limits, baseSeq, this.history, segments);
    this.recovery = opening.recover();
    this.nextSeq = opening.nextSeq();
  }

  /**
   * Opens (and recovers) the log in {@code dir}. {@code baseSeq} is the sequence the newest snapshot
   * covers (0 without one) and {@code baseHistory} its term history: records up to {@code baseSeq} are
   * not needed; a log that does not reach back to {@code baseSeq + 1} is discarded.
   */
  public static SegmentLog open(
      Path dir, Limits limits, long segmentBytes, long baseSeq, TermHistory baseHistory)
      throws IOException {
    return new SegmentLog(dir, limits, segmentBytes, baseSeq, baseHistory);
  }

  public Recovery recovery() {
    return recovery;
  }

  private void startFresh() throws IOException {
    nextSeq = baseSeq + 1;
    segments.add(LogSegment.create(dir, nextSeq));
  }

  /** The first sequence the log still holds (== {@link #nextSeq()} when empty). */
  public synchronized long firstSeq() {
    return segments.isEmpty() ? nextSeq : segments.get(0).firstSeq;
  }

  /** The last appended sequence, durable or not. */
  public synchronized long lastSeq() {
    return nextSeq - 1;
  }

  public synchronized long nextSeq() {
    return nextSeq;
  }

  /** The term history of everything this member holds (snapshot and log). */
  public synchronized TermHistory history() {
    return history.copy();
  }

  public synchronized long lastTerm() {
    return history.lastTerm();
  }

  /** Bytes the log files take. */
  public synchronized long sizeBytes() {
    long n = 0;
    for (LogSegment s : segments) n += s.size;
    return n;
  }

  /**
   * Appends whole encoded records whose sequences continue the log. Not durable until {@link #force()}.
   * The records are trusted (the caller encoded or verified them).
   */
  public synchronized void append(byte[] buf, int off, int len) throws IOException {
    LogSegment seg = segments.get(segments.size() - 1);
    if (seg.size >= segmentBytes && seg.count > 0) {
      FileChannel previous = seg.ch;
      seg = LogSegment.create(dir, nextSeq);
      segments.add(seg);
      FileChannel pending = unforcedRolled;
      if (pending != null) pending.force(false);
      unforcedRolled = previous;
    }
    int end = off + len;
    int p = off;
    long base = seg.size - off;
    ByteBuffer view = ByteBuffer.wrap(buf);
    while (p < end) {
      int size = LogRecord.sizeAt(buf, p);
      long seq = view.getLong(p + LogRecord.HEADER_BYTES);
      long term = view.getLong(p + LogRecord.HEADER_BYTES + 8);
      if (seq != nextSeq)
        throw new IllegalArgumentException(
            "append of " + seq + " where " + nextSeq + " was expected");
      history.note(term, seq);
      seg.addOffset(base + p);
      nextSeq++;
      p += size;
    }
    ByteBuffer b = ByteBuffer.wrap(buf, off, len);
    long pos = seg.size;
    while (b.hasRemaining()) pos += seg.ch.write(b, pos);
    seg.size = pos;
  }

  public void append(byte[] records) throws IOException {
    append(records, 0, records.length);
  }

  /** Makes everything appended so far durable (fdatasync of the active segment and any just rolled). */
  public void force() throws IOException {
    FileChannel rolled;
    FileChannel active;
    synchronized (this) {
      rolled = unforcedRolled;
      unforcedRolled = null;
      active = segments.get(segments.size() - 1).ch;
    }
    if (rolled != null) rolled.force(false);
    active.force(false);
  }

  /**
   * Reads whole records starting at {@code fromSeq}, at most {@code maxBytes} (but at least one record),
   * never past {@code upTo}; within one segment. Null when {@code fromSeq} is past {@code upTo}.
   *
   * @throws IllegalArgumentException when the log no longer holds {@code fromSeq}
   */
  public Chunk read(long fromSeq, long upTo, int maxBytes) throws IOException {
    FileChannel ch;
    long start;
    long end;
    long last;
    synchronized (this) {
      upTo = Math.min(upTo, nextSeq - 1);
      if (fromSeq > upTo) return null;
      LogSegment seg = segmentFor(fromSeq);
      if (seg == null)
        throw new IllegalArgumentException(
            "log no longer holds " + fromSeq + " (first " + firstSeq() + ")");
      last = Math.min(upTo, seg.lastSeq());
      start = seg.offsetOf(fromSeq);
      end = seg.endOf(fromSeq);
      long s = fromSeq;
      while (s < last && seg.endOf(s + 1) - start <= maxBytes) {
        s++;
        end = seg.endOf(s);
      }
      last = s;
      ch = seg.ch;
    }
    byte[] out = new byte[(int) (end - start)];
    ByteBuffer b = ByteBuffer.wrap(out);
    long pos = start;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) throw new IOException("segment ended early");
      pos += n;
    }
    return new Chunk(fromSeq, last, out);
  }

  private LogSegment segmentFor(long seq) {
    for (int i = segments.size() - 1; i >= 0; i--) {
      LogSegment s = segments.get(i);
      if (seq >= s.firstSeq) return seq <= s.lastSeq() ? s : null;
    }
    return null;
  }

  /** Cuts every record after {@code seq} (an unacknowledged tail that diverged from the primary). */
  public synchronized void truncateAfter(long seq) throws IOException {
    if (seq >= nextSeq - 1) return;
    if (seq < firstSeq() - 1)
      throw new IllegalArgumentException("cannot cut at " + seq + ", log starts at " + firstSeq());
    boolean deleted = false;
    while (segments.size() > 1 && segments.get(segments.size() - 1).firstSeq > seq + 1) {
      LogSegment s = segments.remove(segments.size() - 1);
      s.ch.close();
      Files.delete(s.path);
      deleted = true;
    }
    if (deleted) DirectorySync.force(dir); // a cut, diverged tail must not come back after a crash
    LogSegment s = segments.get(segments.size() - 1);
    if (s.firstSeq <= seq + 1 && seq + 1 <= s.lastSeq()) {
      long cut = s.offsetOf(seq + 1);
      s.ch.truncate(cut);
      s.size = cut;
      s.count = (int) (seq + 1 - s.firstSeq);
    }
    s.ch.force(true);
    nextSeq = seq + 1;
    history.truncateAfter(seq);
    unforcedRolled = null;
  }

  /**
   * Deletes whole segments that end before {@code seq} (covered by a snapshot), keeping at least
   * {@code keepBytes} of log and always the active segment. Returns the new first sequence.
   */
  public synchronized long dropBefore(long seq, long keepBytes) throws IOException {
    long total = sizeBytes();
    while (segments.size() > 1) {
      LogSegment s = segments.get(0);
      if (s.lastSeq() >= seq || total - s.size < keepBytes) break;
      segments.remove(0);
      total -= s.size;
      s.ch.close();
      Files.deleteIfExists(s.path);
    }
    DirectorySync.force(dir);
    return firstSeq();
  }

  /** Empties the log so that it continues after a snapshot at {@code snapshotSeq}. */
  public synchronized void reset(long snapshotSeq, TermHistory snapshotHistory) throws IOException {
    for (LogSegment s : segments) {
      s.ch.close();
      Files.deleteIfExists(s.path);
    }
    segments.clear();
    unforcedRolled = null;
    baseSeq = snapshotSeq;
    history = snapshotHistory.copy();
    startFresh();
    segments.get(0).ch.force(true);
  }

  public Path dir() {
    return dir;
  }

  @Override
  public synchronized void close() throws IOException {
    for (LogSegment s : segments) s.ch.close();
  }
}
