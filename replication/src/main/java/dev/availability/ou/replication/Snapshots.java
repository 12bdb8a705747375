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
 * Snapshot files {@code snapshot-<seq, 20 digits>.snap}: the whole state at one sequence, so the log
 * before it can be dropped and a member without usable state can be given a copy. Layout (big-endian):
 * <pre>
 *   "OUSNAP01"  u64 seq  term history (u32 n, n x (u64 term, u64 first seq))
 *   u32 open stimuli, each: u16 id length, id, u64 seq of its BEGIN
 *   u64 entries, each: u16 key length, key, u32 value length, value
 *   u32 CRC32C of everything before
 * </pre>
 * Written to a temporary file, fsynced, then renamed, so a crash leaves either the old or the new one.
 */
public final class Snapshots {
  static final byte[] MAGIC = "OUSNAP01".getBytes(StandardCharsets.US_ASCII);

  /** A loaded snapshot. */
  public record Loaded(Path path, long seq, TermHistory history, KvState state) {}

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
      return s.filter(p -> p.getFileName().toString().matches("snapshot-\\d{20}\\.snap")).sorted().toList();
    }
  }

  /** Writes a snapshot of {@code image} with {@code history} durably; returns its path. */
  public Path write(KvState.Image image, TermHistory history) throws IOException {
    Path target = pathFor(dir, image.seq());
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try (OutputStream raw = Files.newOutputStream(tmp)) {
      writeTo(raw, image, history);
    }
    fsync(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDir(dir);
    return target;
  }

  static void writeTo(OutputStream raw, KvState.Image image, TermHistory history) throws IOException {
    CRC32C crc = new CRC32C();
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
    out.write(MAGIC);
    out.writeLong(image.seq());
    out.write(history.encode());
    out.writeInt(image.open().size());
    for (Map.Entry<Key, Long> e : image.open()) {
      out.writeShort(e.getKey().bytes().length);
      out.write(e.getKey().bytes());
      out.writeLong(e.getValue());
    }
    out.writeLong(image.entries().size());
    for (Map.Entry<Key, byte[]> e : image.entries()) {
      out.writeShort(e.getKey().bytes().length);
      out.write(e.getKey().bytes());
      out.writeInt(e.getValue().length);
      out.write(e.getValue());
    }
    out.flush();
    int sum = (int) crc.getValue();
    raw.write(ByteBuffer.allocate(4).putInt(sum).array());
    raw.flush();
  }

  /** Loads and fully verifies one snapshot file. */
  public Loaded load(Path p) throws IOException, ProtocolException {
    long size = Files.size(p);
    CRC32C crc = new CRC32C();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
      if (size < MAGIC.length + 8 + 4 + 4 + 8 + 4) throw new ProtocolException(Refusal.TRUNCATED, "snapshot of " + size + " bytes");
      DataInputStream in = new DataInputStream(new CheckedInputStream(new BoundedInputStream(raw, size - 4), crc));
      try {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) throw new ProtocolException(Refusal.UNKNOWN_VERSION, "not a snapshot (magic)");
        long seq = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > TermHistory.MAX_ENTRIES) throw new ProtocolException(Refusal.MALFORMED, "term history of " + n);
        ByteBuffer hb = ByteBuffer.allocate(4 + 16 * n).putInt(n);
        hb.put(in.readNBytes(16 * n)).flip();
        TermHistory history = TermHistory.decode(hb);
        KvState state = new KvState(seq);
        int open = in.readInt();
        if (open < 0) throw new ProtocolException(Refusal.MALFORMED, "open stimuli " + open);
        for (int i = 0; i < open; i++) {
          byte[] id = readBytes(in, in.readUnsignedShort(), limits.maxKeyBytes());
          state.restoreOpen(Key.wrap(id), in.readLong());
        }
        long entries = in.readLong();
        if (entries < 0) throw new ProtocolException(Refusal.MALFORMED, "entries " + entries);
        for (long i = 0; i < entries; i++) {
          byte[] k = readBytes(in, in.readUnsignedShort(), limits.maxKeyBytes());
          byte[] v = readBytes(in, in.readInt(), limits.maxValueBytes());
          state.restore(Key.wrap(k), v);
        }
        if (in.read() >= 0) throw new ProtocolException(Refusal.MALFORMED, "trailing bytes in snapshot");
        int expected = new DataInputStream(raw).readInt();
        if (expected != (int) crc.getValue()) throw new ProtocolException(Refusal.BAD_CHECKSUM, "snapshot checksum mismatch");
        return new Loaded(p, seq, history, state);
      } catch (EOFException e) {
        throw new ProtocolException(Refusal.TRUNCATED, "snapshot ends early");
      }
    }
  }

  private static byte[] readBytes(DataInputStream in, int len, int max) throws IOException, ProtocolException {
    if (len < 0 || len > max) throw new ProtocolException(Refusal.OVERSIZED, "length " + len + " > " + max);
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
        Files.move(p, p.resolveSibling(p.getFileName() + ".rejected"), StandardCopyOption.REPLACE_EXISTING);
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
    Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    for (Path p : list()) if (!p.equals(target)) Files.deleteIfExists(p);
    fsyncDir(dir);
    return target;
  }

  static void fsync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // some file systems cannot fsync a directory; the rename is still atomic
    }
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
