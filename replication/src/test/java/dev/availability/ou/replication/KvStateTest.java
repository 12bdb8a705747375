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
}
