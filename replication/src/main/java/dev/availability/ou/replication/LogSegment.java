package dev.availability.ou.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * One segment file of a {@link SegmentLog}: {@code <first seq, 20 digits>.log}, a 16-byte header ({@code OULOG001}
 * and the first sequence) and records with consecutive sequences, with the offset of each record in it.
 */
final class LogSegment {
  final Path path;
  final long firstSeq;
  FileChannel ch;
  long size;
  int[] offsets = new int[1024];
  int count;

  LogSegment(Path path, long firstSeq, FileChannel ch, long size) {
    this.path = path;
    this.firstSeq = firstSeq;
    this.ch = ch;
    this.size = size;
  }

  long lastSeq() {
    return firstSeq + count - 1;
  }

  void addOffset(long off) {
    if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
    offsets[count++] = (int) off;
  }

  long offsetOf(long seq) {
    return offsets[(int) (seq - firstSeq)];
  }

  long endOf(long seq) {
    return seq == lastSeq() ? size : offsets[(int) (seq - firstSeq) + 1];
  }

  static Path pathOf(Path dir, long firstSeq) {
    return dir.resolve(String.format("%020d.log", firstSeq));
  }

  /** The segment files in {@code dir}, in sequence order. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log"))
          .sorted()
          .toList();
    }
  }

  /** Creates an empty segment starting at {@code firstSeq} (its header written, its directory entry durable). */
  static LogSegment create(Path dir, long firstSeq) throws IOException {
    Path p = pathOf(dir, firstSeq);
    FileChannel ch = FileChannel.open(
        p,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer h = ByteBuffer.allocate(SegmentLog.SEGMENT_HEADER)
        .put(SegmentLog.MAGIC)
        .putLong(firstSeq)
        .flip();
    while (h.hasRemaining()) ch.write(h, SegmentLog.SEGMENT_HEADER - h.remaining());
    DirectorySync.force(dir); // the records fsynced into it later must not lose their file
    return new LogSegment(p, firstSeq, ch, SegmentLog.SEGMENT_HEADER);
  }

  /** The first sequence a segment file's name gives. */
  static long firstSeqOf(Path p) {
    String n = p.getFileName().toString();
    return Long.parseLong(n.substring(0, n.indexOf('.')));
  }
}
