package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsTest {
  @TempDir Path dir;

  KvState sample(int n) {
    KvState s = new KvState(0);
    long t = Terms.of(1, 1);
    for (int i = 1; i <= n; i++) s.apply(LogRecord.put(i, t, ("k" + i).getBytes(), ("v" + i).getBytes()));
    s.apply(LogRecord.marker(n + 1, t, RecordType.BEGIN, "req-a".getBytes()));
    s.apply(LogRecord.marker(n + 2, t, RecordType.BEGIN, "req-b".getBytes()));
    s.apply(LogRecord.marker(n + 3, t, RecordType.END, "req-a".getBytes()));
    s.apply(LogRecord.delete(n + 4, t, "k1".getBytes()));
    return s;
  }

  @Test
  void writesAndLoadsTheWholeState() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    KvState s = sample(100);
    TermHistory h = new TermHistory();
    h.note(Terms.of(1, 1), 1);
    Path p = snaps.write(s.image(), h);
    Snapshots.Loaded l = snaps.load(p);
    assertThat(l.seq()).isEqualTo(104);
    assertThat(l.state().size()).isEqualTo(99);
    assertThat(l.state().get(Key.of("k50"))).isEqualTo("v50".getBytes());
    assertThat(l.state().get(Key.of("k1"))).isNull();
    assertThat(l.state().openStimuli()).containsOnlyKeys(Key.of("req-b"));
    assertThat(l.history().starts()).isEqualTo(h.starts());
  }

  @Test
  void damagedSnapshotIsRejectedAndTheOlderOneUsed() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    snaps.write(sample(10).image(), new TermHistory());
    Path newer = snaps.write(sample(20).image(), new TermHistory());
    byte[] b = Files.readAllBytes(newer);
    b[b.length - 5] ^= 1; // inside the last value
    Files.write(newer, b);
    assertThatThrownBy(() -> snaps.load(newer)).isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason()).isEqualTo(Refusal.BAD_CHECKSUM);
    Snapshots.LoadResult r = snaps.loadNewest();
    assertThat(r.loaded().seq()).isEqualTo(14);
    assertThat(r.rejected()).hasSize(1);
  }

  @Test
  void truncatedSnapshotIsRejected() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    Path p = snaps.write(sample(10).image(), new TermHistory());
    byte[] b = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(b, b.length - 9));
    assertThatThrownBy(() -> snaps.load(p)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void retainKeepsTheNewest() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    for (int n = 1; n <= 4; n++) snaps.write(sample(n).image(), new TermHistory());
    snaps.retain(2);
    assertThat(snaps.list()).hasSize(2);
    assertThat(snaps.loadNewest().loaded().seq()).isEqualTo(8);
  }
}
