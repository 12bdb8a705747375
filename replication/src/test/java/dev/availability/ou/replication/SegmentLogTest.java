package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentLogTest {
  static final long T1 = Terms.of(1, 1);
  static final long T2 = Terms.of(2, 1);

  @TempDir
  Path dir;

  static byte[] records(long from, long to, long term) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long s = from; s <= to; s++)
      out.writeBytes(LogRecord.put(s, term, ("k" + s).getBytes(), ("value-" + s).getBytes())
          .encode());
    return out.toByteArray();
  }

  static void appendEach(SegmentLog log, long from, long to, long term) throws Exception {
    for (long s = from; s <= to; s++) log.append(records(s, s, term));
  }

  SegmentLog open(long segmentBytes) throws Exception {
    return SegmentLog.open(dir, Limits.DEFAULT, segmentBytes, 0, new TermHistory());
  }

  static List<LogRecord> readAll(SegmentLog log) throws Exception {
    List<LogRecord> out = new ArrayList<>();
    long s = log.firstSeq();
    while (s <= log.lastSeq()) {
      SegmentLog.Chunk c = log.read(s, Long.MAX_VALUE, 1000);
      int off = 0;
      while (off < c.bytes().length) {
        LogRecord r = LogRecord.decode(c.bytes(), off, c.bytes().length, Limits.DEFAULT);
        out.add(r);
        off += r.encodedSize();
      }
      s = c.lastSeq() + 1;
    }
    return out;
  }

  @Test
  void appendsReadsAndReopensAcrossSegments() throws Exception {
    try (SegmentLog log = open(300)) {
      appendEach(log, 1, 10, T1);
      appendEach(log, 11, 25, T2);
      log.force();
      assertThat(log.lastSeq()).isEqualTo(25);
      assertThat(readAll(log)).hasSize(25);
      assertThat(log.history().starts())
          .containsExactly(new TermHistory.Start(T1, 1), new TermHistory.Start(T2, 11));
    }
    try (SegmentLog log = open(300)) {
      assertThat(log.recovery().cut()).isFalse();
      assertThat(log.recovery().segments()).isGreaterThan(1);
      assertThat(log.firstSeq()).isEqualTo(1);
      assertThat(log.lastSeq()).isEqualTo(25);
      assertThat(readAll(log).get(24).key()).isEqualTo("k25".getBytes());
      assertThat(log.history().termAt(11)).isEqualTo(T2);
      log.append(records(26, 26, T2));
      assertThat(log.read(26, 26, 10).count()).isEqualTo(1);
    }
  }

  /**
   * Issue 15 item 13: a file's fsync does not make its name durable. The directory is synced when a segment is
   * created (else the acknowledged records fsynced into it could vanish with it at a power loss) and when a
   * diverged tail's segments are deleted (else they could come back).
   */
  @Test
  void theLogDirectoryIsSyncedWhenASegmentIsCreatedAndWhenACutTailsSegmentsAreDeleted()
      throws Exception {
    try (SegmentLog log = open(300)) {
      long before = DirectorySync.forced();
      appendEach(log, 1, 10, T1);
      int segments = log.recovery().segments();
      long created = listSegmentFiles() - 1; // beyond the one the open made
      assertThat(created).as("segments created by the appends").isPositive();
      assertThat(DirectorySync.forced() - before)
          .as("directory syncs")
          .isGreaterThanOrEqualTo(created);
      long beforeCut = DirectorySync.forced();
      log.truncateAfter(2);
      assertThat(DirectorySync.forced())
          .as("a directory sync after the cut segments were deleted")
          .isGreaterThan(beforeCut);
      assertThat(segments).isPositive();
    }
  }

  private long listSegmentFiles() throws Exception {
    try (var s = java.nio.file.Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log")).count();
    }
  }

  @Test
  void readStopsAtUpToAndAtMaxBytesButReturnsAtLeastOneRecord() throws Exception {
    try (SegmentLog log = open(1 << 20)) {
      log.append(records(1, 10, T1));
      assertThat(log.read(3, 5, 1 << 20).lastSeq()).isEqualTo(5);
      assertThat(log.read(3, 10, 1).count()).isEqualTo(1);
      assertThat(log.read(11, 20, 100)).isNull();
      assertThatThrownBy(() -> log.append(records(12, 12, T1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void tornTailIsCutOffAndReported() throws Exception {
    try (SegmentLog log = open(1 << 20)) {
      log.append(records(1, 20, T1));
      log.force();
    }
    Path seg = onlySegment();
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 5); // the last record is half-written
    }
    try (SegmentLog log = open(1 << 20)) {
      assertThat(log.recovery().cut()).isTrue();
      assertThat(log.recovery().cutReason()).isEqualTo(Refusal.TRUNCATED);
      assertThat(log.recovery().cutAtSeq()).isEqualTo(20);
      assertThat(log.lastSeq()).isEqualTo(19);
      assertThat(readAll(log)).hasSize(19);
      log.append(records(20, 21, T1)); // the log continues where the good part ended
      assertThat(log.lastSeq()).isEqualTo(21);
    }
  }

  @Test
  void garbageAppendedAfterTheLastRecordIsCut() throws Exception {
    try (SegmentLog log = open(1 << 20)) {
      log.append(records(1, 5, T1));
    }
    Files.write(
        onlySegment(), new byte[] {0, 0, 0, 40, 1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
    try (SegmentLog log = open(1 << 20)) {
      assertThat(log.recovery().cut()).isTrue();
      assertThat(log.lastSeq()).isEqualTo(5);
    }
  }

  @Test
  void corruptRecordInTheMiddleCutsFromThereAndDropsLaterSegments() throws Exception {
    try (SegmentLog log = open(300)) {
      appendEach(log, 1, 30, T1);
    }
    List<Path> segs = segments();
    assertThat(segs.size()).isGreaterThan(2);
    byte[] first = Files.readAllBytes(segs.get(0));
    int off = SegmentLog.SEGMENT_HEADER
        + LogRecord.sizeAt(first, SegmentLog.SEGMENT_HEADER) * 2
        + 12; // inside record 3
    first[off] ^= 0x55;
    Files.write(segs.get(0), first);
    try (SegmentLog log = open(300)) {
      assertThat(log.recovery().cutReason()).isEqualTo(Refusal.BAD_CHECKSUM);
      assertThat(log.recovery().segmentsDropped()).isEqualTo(segs.size() - 1);
      assertThat(log.lastSeq()).isEqualTo(2);
    }
  }

  @Test
  void badSegmentHeaderIsRefused() throws Exception {
    try (SegmentLog log = open(1 << 20)) {
      log.append(records(1, 3, T1));
    }
    byte[] b = Files.readAllBytes(onlySegment());
    b[0] = 'X';
    Files.write(onlySegment(), b);
    try (SegmentLog log = open(1 << 20)) {
      assertThat(log.recovery().cut()).isTrue();
      assertThat(log.recovery().cutReason()).isEqualTo(Refusal.MALFORMED);
      assertThat(log.lastSeq()).isEqualTo(0);
    }
  }

  @Test
  void truncateAfterCutsTheDivergedTailAcrossSegments() throws Exception {
    try (SegmentLog log = open(300)) {
      appendEach(log, 1, 10, T1);
      appendEach(log, 11, 30, T2);
      log.truncateAfter(8);
      assertThat(log.lastSeq()).isEqualTo(8);
      assertThat(log.history().lastTerm()).isEqualTo(T1);
      log.append(records(9, 12, T2));
      assertThat(readAll(log))
          .extracting(LogRecord::seq)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    }
    try (SegmentLog log = open(300)) {
      assertThat(log.lastSeq()).isEqualTo(12);
      assertThat(log.recovery().cut()).isFalse();
    }
  }

  @Test
  void dropBeforeKeepsRetentionAndTheActiveSegment() throws Exception {
    try (SegmentLog log = open(300)) {
      appendEach(log, 1, 60, T1);
      int before = segments().size();
      long first = log.dropBefore(40, 0);
      assertThat(first).isGreaterThan(1).isLessThanOrEqualTo(40);
      assertThat(segments().size()).isLessThan(before);
      assertThatThrownBy(() -> log.read(1, 60, 100)).isInstanceOf(IllegalArgumentException.class);
      assertThat(log.dropBefore(1000, log.sizeBytes()))
          .isEqualTo(first); // retention keeps the rest
    }
  }

  @Test
  void resetStartsAfterASnapshotAndReopenIgnoresOlderSegments() throws Exception {
    TermHistory h = new TermHistory();
    h.note(T1, 1);
    try (SegmentLog log = open(1 << 20)) {
      log.append(records(1, 10, T1));
      log.reset(100, h);
      assertThat(log.firstSeq()).isEqualTo(101);
      log.append(records(101, 105, T2));
    }
    try (SegmentLog log = SegmentLog.open(dir, Limits.DEFAULT, 1 << 20, 100, h)) {
      assertThat(log.firstSeq()).isEqualTo(101);
      assertThat(log.lastSeq()).isEqualTo(105);
      assertThat(log.history().starts())
          .containsExactly(new TermHistory.Start(T1, 1), new TermHistory.Start(T2, 101));
    }
  }

  @Test
  void aLogThatDoesNotReachTheSnapshotIsDiscarded() throws Exception {
    try (SegmentLog log = open(1 << 20)) {
      log.reset(50, new TermHistory());
      log.append(records(51, 55, T1));
    }
    try (SegmentLog log = SegmentLog.open(dir, Limits.DEFAULT, 1 << 20, 10, new TermHistory())) {
      assertThat(log.recovery().cutReason()).isEqualTo(Refusal.SEQUENCE_GAP);
      assertThat(log.lastSeq()).isEqualTo(10);
    }
  }

  Path onlySegment() throws Exception {
    return segments().get(0);
  }

  List<Path> segments() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }
}
