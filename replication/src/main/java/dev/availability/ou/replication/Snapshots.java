package dev.availability.ou.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Snapshot files {@code snapshot-<seq, 20 digits>.snap}: the state as of one sequence, so the log before
 * it can be dropped and a member without usable state can be given a copy.
 *
 * <p>A snapshot is fuzzy: it is streamed from the live state while updates go on, so each entry holds
 * its value at some point between {@code seq} (applied when writing began) and {@code consistentSeq}
 * (applied when it ended). Replaying the log from {@code seq + 1} makes it exact from
 * {@code consistentSeq} on, because puts, deletes and journal markers replayed in order leave each key
 * as its last update set it. Nothing is copied for the snapshot, so it needs no memory of its own.
 * Layout (big-endian):
 * <pre>
 *   "OUSNAP02"  u64 seq  term history up to seq (u32 n, n x (u64 term, u64 first seq))
 *   open stimuli, each: u8 1, u16 id length, id, u64 seq of its BEGIN; then u8 0
 *   entries, each: u8 1, u16 key length, key, u32 value length, value; then u8 0
 *   u64 number of entries  u64 consistentSeq (known once the entries are out)  u32 CRC32C of everything before
 * </pre>
 * Version 1 ({@code "OUSNAP01"}: an exact image, counts before the lists, no consistentSeq) still loads.
 * Written to a temporary file and fsynced; the caller renames it into place ({@link #commit}) once the
 * log holds everything up to {@code consistentSeq} durably, so a crash leaves the old one or the new one.
 */
public final class Snapshots {
  static final byte[] MAGIC_V1 = "OUSNAP01".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAGIC = "OUSNAP02".getBytes(StandardCharsets.US_ASCII);

  /**
   * A snapshot: the state holds {@code seq}'s updates and some of those up to {@code consistentSeq}, and
   * is exact once the log after {@code seq} is replayed to {@code consistentSeq}. History and state are
   * null when only the file is meant.
   */
  public record Loaded(
      Path path, long seq, long consistentSeq, TermHistory history, KvState state) {}

  /** A snapshot in its temporary file, fsynced, not yet in place. */
  public record Written(Path tmp, long seq, long consistentSeq) {}

  /** What loading found: the newest valid snapshot (or none) and the invalid ones skipped. */
  public record LoadResult(Loaded loaded, List<String> rejected) {}

  private final Path dir;
  private final Limits limits;

  public Snapshots(Path dir, Limits limits) throws IOException {
    this.dir = dir;
    this.limits = limits;
    Files.createDirectories(dir);
  }

  public Path dir() {
    return dir;
  }

  public static Path pathFor(Path dir, long seq) {
    return dir.resolve(String.format("snapshot-%020d.snap", seq));
  }

  public List<Path> list() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("snapshot-\\d{20}\\.snap"))
          .sorted()
          .toList();
    }
  }

  /**
   * Streams {@code state} to a temporary file while it may keep changing. {@code seq} must already be
   * applied to it and {@code history} must end at it; {@code exactFromSeq} is where the state itself
   * becomes exact (it may come from a fuzzy snapshot still being caught up). Commit the result with
   * {@link #commit} once the log holds {@link Written#consistentSeq} durably, or {@link #discard} it.
   */
  public Written write(KvState state, long seq, long exactFromSeq, TermHistory history)
      throws IOException {
    if (state.appliedSeq() < seq)
      throw new IllegalArgumentException(
          "state at " + state.appliedSeq() + " is behind snapshot seq " + seq);
    Path tmp = dir.resolve(pathFor(dir, seq).getFileName() + ".tmp");
    long consistentSeq;
    try (FileChannel ch = FileChannel.open(
        tmp,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream raw = java.nio.channels.Channels.newOutputStream(ch);
      consistentSeq = writeTo(raw, state, seq, exactFromSeq, history);
      ch.force(true);
    }
    return new Written(tmp, seq, consistentSeq);
  }

  /** Puts a written snapshot in place; returns its path. */
  public Path commit(Written w) throws IOException {
    Path target = pathFor(dir, w.seq());
    Files.move(
        w.tmp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDir(dir);
    return target;
  }

  public void discard(Written w) throws IOException {
    Files.deleteIfExists(w.tmp());
  }

  /** Writes the snapshot; returns its consistentSeq, the state's applied sequence once every entry is out. */
  static long writeTo(
      OutputStream raw, KvState state, long seq, long exactFromSeq, TermHistory history)
      throws IOException {
    CRC32C crc = new CRC32C();
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
    out.write(MAGIC);
    out.writeLong(seq);
    out.write(history.encode());
    for (Map.Entry<Key, Long> e : state.openEntries()) {
      out.writeByte(1);
      out.writeShort(e.getKey().bytes().length);
      out.write(e.getKey().bytes());
      out.writeLong(e.getValue());
    }
    out.writeByte(0);
    long n = 0;
    for (Map.Entry<Key, byte[]> e : state.entries()) {
      out.writeByte(1);
      out.writeShort(e.getKey().bytes().length);
      out.write(e.getKey().bytes());
      out.writeInt(e.getValue().length);
      out.write(e.getValue());
      n++;
    }
    out.writeByte(0);
    long consistentSeq = Math.max(Math.max(seq, exactFromSeq), state.applyingSeq());
    out.writeLong(n);
    out.writeLong(consistentSeq);
    out.flush();
    int sum = (int) crc.getValue();
    raw.write(ByteBuffer.allocate(4).putInt(sum).array());
    raw.flush();
    return consistentSeq;
  }

  /** Loads and fully verifies one snapshot file. */
  public Loaded load(Path p) throws IOException, ProtocolException {
    long size = Files.size(p);
    CRC32C crc = new CRC32C();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
      if (size < MAGIC.length + 8 + 4 + 4 + 8 + 4)
        throw new ProtocolException(Refusal.TRUNCATED, "snapshot of " + size + " bytes");
      DataInputStream in =
          new DataInputStream(new CheckedInputStream(new BoundedInputStream(raw, size - 4), crc));
      try {
        byte[] magic = in.readNBytes(MAGIC.length);
        boolean v1 = Arrays.equals(magic, MAGIC_V1);
        if (!v1 && !Arrays.equals(magic, MAGIC))
          throw new ProtocolException(Refusal.UNKNOWN_VERSION, "not a snapshot (magic)");
        long seq = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > TermHistory.MAX_ENTRIES)
          throw new ProtocolException(Refusal.MALFORMED, "term history of " + n);
        ByteBuffer hb = ByteBuffer.allocate(4 + 16 * n).putInt(n);
        hb.put(in.readNBytes(16 * n)).flip();
        TermHistory history = TermHistory.decode(hb);
        KvState state = new KvState(seq);
        long consistentSeq = seq;
        if (v1) {
          int open = in.readInt();
          if (open < 0) throw new ProtocolException(Refusal.MALFORMED, "open stimuli " + open);
          for (int i = 0; i < open; i++) readOpen(in, state);
          long entries = in.readLong();
          if (entries < 0) throw new ProtocolException(Refusal.MALFORMED, "entries " + entries);
          for (long i = 0; i < entries; i++) readEntry(in, state);
        } else {
          while (more(in)) readOpen(in, state);
          long entries = 0;
          while (more(in)) {
            readEntry(in, state);
            entries++;
          }
          if (in.readLong() != entries)
            throw new ProtocolException(
                Refusal.MALFORMED, "snapshot entry count does not match its entries");
          consistentSeq = in.readLong();
          if (consistentSeq < seq)
            throw new ProtocolException(
                Refusal.MALFORMED,
                "snapshot consistent at " + consistentSeq + " before its seq " + seq);
        }
        if (in.read() >= 0)
          throw new ProtocolException(Refusal.MALFORMED, "trailing bytes in snapshot");
        int expected = new DataInputStream(raw).readInt();
        if (expected != (int) crc.getValue())
          throw new ProtocolException(Refusal.BAD_CHECKSUM, "snapshot checksum mismatch");
        return new Loaded(p, seq, consistentSeq, history, state);
      } catch (EOFException e) {
        throw new ProtocolException(Refusal.TRUNCATED, "snapshot ends early");
      }
    }
  }

  private static boolean more(DataInputStream in) throws IOException, ProtocolException {
    int b = in.readUnsignedByte();
    if (b > 1)
      throw new ProtocolException(Refusal.MALFORMED, "bad list marker " + b + " in snapshot");
    return b == 1;
  }

  private void readOpen(DataInputStream in, KvState state) throws IOException, ProtocolException {
    byte[] id = readBytes(in, in.readUnsignedShort(), limits.maxKeyBytes());
    state.restoreOpen(Key.wrap(id), in.readLong());
  }

  private void readEntry(DataInputStream in, KvState state) throws IOException, ProtocolException {
    byte[] k = readBytes(in, in.readUnsignedShort(), limits.maxKeyBytes());
    byte[] v = readBytes(in, in.readInt(), limits.maxValueBytes());
    state.restore(Key.wrap(k), v);
  }

  private static byte[] readBytes(DataInputStream in, int len, int max)
      throws IOException, ProtocolException {
    if (len < 0 || len > max)
      throw new ProtocolException(Refusal.OVERSIZED, "length " + len + " > " + max);
    byte[] b = in.readNBytes(len);
    if (b.length != len) throw new EOFException();
    return b;
  }

  /** The newest snapshot that verifies; invalid ones are reported (and left for inspection, renamed). */
  public LoadResult loadNewest() throws IOException {
    List<Path> all = new ArrayList<>(list());
    List<String> rejected = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path p = all.get(i);
      try {
        return new LoadResult(load(p), rejected);
      } catch (ProtocolException e) {
        rejected.add(p.getFileName() + ": " + e.getMessage());
        Files.move(
            p,
            p.resolveSibling(p.getFileName() + ".rejected"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new LoadResult(null, rejected);
  }

  /** Deletes all but the newest {@code keep} snapshots. */
  public void retain(int keep) throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
  }

  /** Installs a verified snapshot file received from the primary, under its canonical name. */
  public Path install(Path verified, long seq) throws IOException {
    fsync(verified);
    Path target = pathFor(dir, seq);
    Files.move(
        verified, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    for (Path p : list()) if (!p.equals(target)) Files.deleteIfExists(p);
    fsyncDir(dir);
    return target;
  }

  static void fsync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  static void fsyncDir(Path dir) throws IOException {
    DirectorySync.force(dir);
  }

  /** Reads at most {@code limit} bytes, then reports end of stream. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedInputStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) return -1;
      int b = in.read();
      if (b >= 0) left--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) left -= n;
      return n;
    }
  }
}
