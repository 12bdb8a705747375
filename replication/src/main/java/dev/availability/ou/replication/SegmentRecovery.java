package dev.availability.ou.replication;

import static dev.availability.ou.replication.SegmentLog.MAGIC;
import static dev.availability.ou.replication.SegmentLog.SEGMENT_HEADER;

import dev.availability.ou.replication.SegmentLog.Recovery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Opening the log: scans every segment and, at the first record that is cut short, fails its checksum, is malformed
 * or breaks the sequence, cuts the file there and removes later segments; the {@link Recovery} says so. Apart from
 * {@link SegmentLog}, which appends, reads, cuts and retains once the log is open.
 */
final class SegmentRecovery {
  private final Path dir;
  private final Limits limits;
  private final long baseSeq;
  private final TermHistory history; // the log's own: filled in as records are read
  private final List<LogSegment> segments; // the log's own: filled in as segments are opened
  private long nextSeq;

  SegmentRecovery(
      Path dir, Limits limits, long baseSeq, TermHistory history, List<LogSegment> segments) {
    this.dir = dir;
    this.limits = limits;
    this.baseSeq = baseSeq;
    this.history = history;
    this.segments = segments;
    this.nextSeq = baseSeq + 1;
  }

  /** The sequence the log's next append takes, once {@link #recover()} ran. */
  long nextSeq() {
    return nextSeq;
  }

  /** Scans and opens the segments, cutting at the first bad record; says what it found. */
  Recovery recover() throws IOException {
    List<Path> files = new ArrayList<>(LogSegment.list(dir));
    // Segments entirely below the snapshot are not needed.
    while (files.size() > 1 && LogSegment.firstSeqOf(files.get(1)) <= baseSeq + 1)
      Files.delete(files.remove(0));
    if (!files.isEmpty() && LogSegment.firstSeqOf(files.get(0)) > baseSeq + 1) {
      int dropped = files.size();
      for (Path p : files) Files.delete(p);
      startFresh();
      return new Recovery(
          nextSeq,
          nextSeq - 1,
          1,
          true,
          baseSeq + 1,
          Refusal.SEQUENCE_GAP,
          "log starts after the snapshot's sequence " + baseSeq + "; discarded",
          0,
          dropped);
    }
    long expected = files.isEmpty() ? baseSeq + 1 : LogSegment.firstSeqOf(files.get(0));
    for (int i = 0; i < files.size(); i++) {
      Path p = files.get(i);
      byte[] bytes = Files.readAllBytes(p);
      long first = LogSegment.firstSeqOf(p);
      String problem = null;
      Refusal reason = null;
      long cutAt = SEGMENT_HEADER;
      if (first != expected) {
        reason = Refusal.SEQUENCE_GAP;
        problem = "segment " + p.getFileName() + " starts at " + first + ", expected " + expected;
        cutAt = 0;
      } else if (bytes.length < SEGMENT_HEADER
          || !Arrays.equals(Arrays.copyOf(bytes, 8), MAGIC)
          || ByteBuffer.wrap(bytes, 8, 8).getLong() != first) {
        reason = bytes.length < SEGMENT_HEADER ? Refusal.TRUNCATED : Refusal.MALFORMED;
        problem = "segment " + p.getFileName() + " has a bad header";
        cutAt = 0;
      }
      LogSegment seg = null;
      if (problem == null) {
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        seg = new LogSegment(p, first, ch, SEGMENT_HEADER);
        int off = SEGMENT_HEADER;
        while (off < bytes.length) {
          try {
            LogRecord r = LogRecord.decode(bytes, off, bytes.length, limits);
            if (r.seq() != expected)
              throw new ProtocolException(
                  Refusal.SEQUENCE_GAP,
                  "record " + r.seq() + " where " + expected + " was expected");
            if (r.seq() > baseSeq) {
              if (r.term() < history.lastTerm())
                throw new ProtocolException(Refusal.MALFORMED, "term goes backwards at " + r.seq());
              history.note(r.term(), r.seq());
            }
            seg.addOffset(off);
            off += r.encodedSize();
            expected++;
          } catch (ProtocolException e) {
            reason = e.reason();
            problem = e.getMessage() + " in " + p.getFileName();
            cutAt = off;
            break;
          }
        }
        seg.size = off;
        segments.add(seg);
      }
      if (problem != null) {
        long bytesCut = bytes.length - cutAt;
        int dropped = 0;
        if (seg == null) {
          Files.delete(p);
          dropped++;
        } else {
          seg.ch.truncate(cutAt);
          seg.ch.force(true);
        }
        for (int j = i + 1; j < files.size(); j++) {
          bytesCut += Files.size(files.get(j));
          Files.delete(files.get(j));
          dropped++;
        }
        DirectorySync.force(dir);
        finishOpen();
        return new Recovery(
            firstSeq(),
            lastSeq(),
            segments.size(),
            true,
            expected,
            reason,
            problem,
            bytesCut,
            dropped);
      }
    }
    finishOpen();
    return Recovery.clean(firstSeq(), lastSeq(), segments.size());
  }

  private void finishOpen() throws IOException {
    // Drop empty non-last segments, and make sure there is an active segment.
    if (segments.isEmpty()) {
      startFresh();
      return;
    }
    LogSegment last = segments.get(segments.size() - 1);
    nextSeq = last.firstSeq + last.count;
    if (nextSeq <= baseSeq) { // the whole log is older than the snapshot
      for (LogSegment s : segments) {
        s.ch.close();
        Files.delete(s.path);
      }
      segments.clear();
      startFresh();
    }
  }

  private void startFresh() throws IOException {
    nextSeq = baseSeq + 1;
    segments.add(LogSegment.create(dir, nextSeq));
  }

  private long firstSeq() {
    return segments.isEmpty() ? nextSeq : segments.get(0).firstSeq;
  }

  private long lastSeq() {
    return nextSeq - 1;
  }
}
