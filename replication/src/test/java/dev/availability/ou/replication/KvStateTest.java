package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStateTest {
  static final long T = Terms.of(1, 1);
  static final int O = KvState.ENTRY_OVERHEAD_BYTES;

  @Test
  void theStateCountsTheBytesItsKeysAndValuesTake() {
    KvState s = new KvState(0);
    s.apply(LogRecord.put(1, T, "ab".getBytes(), new byte[1000]));
    s.apply(LogRecord.put(2, T, "c".getBytes(), new byte[10]));
    assertThat(s.bytes()).isEqualTo(2 + 1000 + O + 1 + 10 + O);

    s.apply(LogRecord.put(
        3, T, "ab".getBytes(), new byte[400])); // a rewrite replaces the old value's bytes
    assertThat(s.bytes()).isEqualTo(2 + 400 + O + 1 + 10 + O);

    s.apply(LogRecord.delete(4, T, "c".getBytes()));
    s.apply(LogRecord.delete(5, T, "missing".getBytes()));
    s.apply(LogRecord.marker(
        6, T, RecordType.BEGIN, "req".getBytes())); // journal markers are not state
    assertThat(s.bytes()).isEqualTo(2 + 400 + O);

    s.apply(LogRecord.delete(7, T, "ab".getBytes()));
    assertThat(s.bytes()).isZero();
  }

  @Test
  void aLoadedSnapshotCountsTheSameBytes(@TempDir Path dir) throws Exception {
    KvState s = new KvState(0);
    for (int i = 1; i <= 50; i++)
      s.apply(LogRecord.put(i, T, ("k" + i).getBytes(), new byte[i * 3]));
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    Snapshots.Loaded loaded =
        snaps.load(snaps.commit(snaps.write(s, s.appliedSeq(), 0, new TermHistory())));
    assertThat(loaded.state().bytes()).isEqualTo(s.bytes()).isPositive();
  }

  @Test
  void aRewriteOfTheSameSizeOverwritesTheStoredValueAndNoReaderHoldsIt() {
    KvState s = new KvState(0);
    byte[] first = "aaaa".getBytes();
    s.apply(LogRecord.put(1, T, "k".getBytes(), first));
    byte[] read = s.get(Key.of("k"));
    byte[] scanned = s.scan(null, 10).get(0).getValue();
    byte[] passed = s.entries().iterator().next().getValue();

    byte[] second = "bbbb".getBytes();
    s.apply(LogRecord.put(2, T, "k".getBytes(), second));
    second[0] = 'x'; // the record's array is not kept: the stored one was overwritten

    assertThat(s.get(Key.of("k"))).isEqualTo("bbbb".getBytes());
    assertThat(first).as("the stored array, overwritten in place").isEqualTo("bbbb".getBytes());
    assertThat(read).as("what a reader got before stays as it was").isEqualTo("aaaa".getBytes());
    assertThat(scanned).isEqualTo("aaaa".getBytes());
    assertThat(passed).isEqualTo("aaaa".getBytes());
    assertThat(s.bytes()).isEqualTo(1 + 4 + O);

    s.apply(LogRecord.put(3, T, "k".getBytes(), "cc".getBytes())); // another size: replaced
    assertThat(s.get(Key.of("k"))).isEqualTo("cc".getBytes());
    assertThat(first).isEqualTo("bbbb".getBytes());
    assertThat(s.bytes()).isEqualTo(1 + 2 + O);
  }

  @Test
  void aReaderNeverSeesHalfOfOneValueAndHalfOfTheNext() throws Exception {
    KvState s = new KvState(0);
    int size = 64 * 1024; // long enough for a copy to be caught half done
    s.apply(LogRecord.put(1, T, "k".getBytes(), filled(size, (byte) 0)));
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong torn = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        byte[] v = s.get(Key.of("k"));
        byte[] e = s.entries().iterator().next().getValue();
        if (!uniform(v) || !uniform(e)) torn.incrementAndGet();
        reads.incrementAndGet();
      }
    });
    reader.start();
    long deadline = System.nanoTime() + 300_000_000L;
    long seq = 2;
    while (System.nanoTime() < deadline || reads.get() < 1000)
      s.apply(LogRecord.put(seq, T, "k".getBytes(), filled(size, (byte) seq++)));
    done.set(true);
    reader.join();
    assertThat(torn.get())
        .as("reads of a value being overwritten, out of " + reads.get())
        .isZero();
  }

  private static byte[] filled(int size, byte b) {
    byte[] v = new byte[size];
    java.util.Arrays.fill(v, b);
    return v;
  }

  private static boolean uniform(byte[] v) {
    for (byte b : v) if (b != v[0]) return false;
    return true;
  }
}
