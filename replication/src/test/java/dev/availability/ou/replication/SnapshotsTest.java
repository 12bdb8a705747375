package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsTest {
  @TempDir
  Path dir;

  KvState sample(int n) {
    KvState s = new KvState(0);
    long t = Terms.of(1, 1);
    for (int i = 1; i <= n; i++)
      s.apply(LogRecord.put(i, t, ("k" + i).getBytes(), ("v" + i).getBytes()));
    s.apply(LogRecord.marker(n + 1, t, RecordType.BEGIN, "req-a".getBytes()));
    s.apply(LogRecord.marker(n + 2, t, RecordType.BEGIN, "req-b".getBytes()));
    s.apply(LogRecord.marker(n + 3, t, RecordType.END, "req-a".getBytes()));
    s.apply(LogRecord.delete(n + 4, t, "k1".getBytes()));
    return s;
  }

  /** A snapshot of a state nothing changes meanwhile: exact at its seq. */
  static Path snapshot(Snapshots snaps, KvState s, TermHistory h) throws java.io.IOException {
    Snapshots.Written w = snaps.write(s, s.appliedSeq(), 0, h);
    assertThat(w.consistentSeq()).isEqualTo(s.appliedSeq());
    return snaps.commit(w);
  }

  @Test
  void writesAndLoadsTheWholeState() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    KvState s = sample(100);
    TermHistory h = new TermHistory();
    h.note(Terms.of(1, 1), 1);
    Path p = snapshot(snaps, s, h);
    Snapshots.Loaded l = snaps.load(p);
    assertThat(l.seq()).isEqualTo(104);
    assertThat(l.consistentSeq()).isEqualTo(104);
    assertThat(l.state().size()).isEqualTo(99);
    assertThat(l.state().get(Key.of("k50"))).isEqualTo("v50".getBytes());
    assertThat(l.state().get(Key.of("k1"))).isNull();
    assertThat(l.state().openStimuli()).containsOnlyKeys(Key.of("req-b"));
    assertThat(l.history().starts()).isEqualTo(h.starts());
  }

  @Test
  void damagedSnapshotIsRejectedAndTheOlderOneUsed() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    snapshot(snaps, sample(10), new TermHistory());
    Path newer = snapshot(snaps, sample(20), new TermHistory());
    byte[] b = Files.readAllBytes(newer);
    b[b.length - 5] ^= 1; // inside the trailer (entry count, consistent sequence)
    Files.write(newer, b);
    assertThatThrownBy(() -> snaps.load(newer))
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).reason())
        .isEqualTo(Refusal.BAD_CHECKSUM);
    Snapshots.LoadResult r = snaps.loadNewest();
    assertThat(r.loaded().seq()).isEqualTo(14);
    assertThat(r.rejected()).hasSize(1);
  }

  @Test
  void truncatedSnapshotIsRejected() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    Path p = snapshot(snaps, sample(10), new TermHistory());
    byte[] b = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(b, b.length - 9));
    assertThatThrownBy(() -> snaps.load(p)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void retainKeepsTheNewest() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    for (int n = 1; n <= 4; n++) snapshot(snaps, sample(n), new TermHistory());
    snaps.retain(2);
    assertThat(snaps.list()).hasSize(2);
    assertThat(snaps.loadNewest().loaded().seq()).isEqualTo(8);
  }

  @Test
  void aSnapshotWrittenWhileUpdatesGoOnIsExactOnceTheLogIsReplayedToItsConsistentSequence()
      throws Exception {
    // Rewrites, deletes and journal markers race the writing; replaying the records after the
    // snapshot's seq up to its consistentSeq must give exactly the state at consistentSeq.
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    long t = Terms.of(1, 1);
    KvState live = new KvState(0);
    KvState reference = new KvState(0); // the same records, applied up to any point on request
    java.util.List<LogRecord> log =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.Random random = new java.util.Random(42);
    long seq = 0;
    for (; seq < 5_000; ) {
      LogRecord r = LogRecord.put(
          ++seq, t, ("k" + random.nextInt(2_000)).getBytes(), new byte[random.nextInt(200)]);
      live.apply(r);
      log.add(r);
    }
    long startSeq = seq;
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch going = new java.util.concurrent.CountDownLatch(1);
    Thread writer = new Thread(() -> {
      long s = startSeq;
      java.util.Random rnd = new java.util.Random(7);
      while (!stop.get() || s < startSeq + 20_000) {
        int kind = rnd.nextInt(10);
        byte[] k = ("k" + rnd.nextInt(2_000)).getBytes();
        LogRecord r = kind < 7
            ? LogRecord.put(++s, t, k, new byte[rnd.nextInt(200)])
            : kind < 9
                ? LogRecord.delete(++s, t, k)
                : LogRecord.marker(
                    ++s,
                    t,
                    rnd.nextBoolean() ? RecordType.BEGIN : RecordType.END,
                    ("req" + rnd.nextInt(50)).getBytes());
        log.add(r);
        live.apply(r);
        if (s == startSeq + 1_000) going.countDown();
      }
    });
    writer.start();
    going.await();
    Snapshots.Written w = snaps.write(live, startSeq, 0, new TermHistory());
    stop.set(true);
    writer.join();
    assertThat(w.seq()).isEqualTo(startSeq);
    assertThat(w.consistentSeq())
        .as("updates went on while it was written")
        .isGreaterThan(startSeq);

    Snapshots.Loaded loaded = snaps.load(snaps.commit(w));
    assertThat(loaded.consistentSeq()).isEqualTo(w.consistentSeq());
    KvState restored = loaded.state();
    for (LogRecord r : log) {
      if (r.seq() <= w.consistentSeq()) reference.apply(r);
      if (r.seq() > w.seq() && r.seq() <= w.consistentSeq()) restored.apply(r);
    }
    assertThat(restored.appliedSeq()).isEqualTo(reference.appliedSeq());
    assertThat(restored.scan(null, Integer.MAX_VALUE))
        .usingElementComparator((a, b) ->
            a.getKey().equals(b.getKey()) && java.util.Arrays.equals(a.getValue(), b.getValue())
                ? 0
                : 1)
        .containsExactlyElementsOf(reference.scan(null, Integer.MAX_VALUE));
    assertThat(restored.openStimuli()).isEqualTo(reference.openStimuli());
    assertThat(restored.bytes()).isEqualTo(reference.bytes());
  }

  @Test
  void aStateNotYetExactPassesItsExactSequenceOn() throws Exception {
    Snapshots snaps = new Snapshots(dir, Limits.DEFAULT);
    KvState s = sample(10);
    Snapshots.Written w = snaps.write(s, s.appliedSeq(), 500, new TermHistory());
    assertThat(snaps.load(snaps.commit(w)).consistentSeq()).isEqualTo(500);
  }

  @Test
  void aVersionOneSnapshotStillLoads() throws Exception {
    // "OUSNAP01": counts before the lists, exact at its seq.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    java.io.DataOutputStream out =
        new java.io.DataOutputStream(new java.util.zip.CheckedOutputStream(bytes, crc));
    out.write("OUSNAP01".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.writeLong(7);
    out.writeInt(0); // term history
    out.writeInt(1);
    out.writeShort(3);
    out.write("req".getBytes());
    out.writeLong(5);
    out.writeLong(1);
    out.writeShort(1);
    out.write("k".getBytes());
    out.writeInt(2);
    out.write("v1".getBytes());
    out.flush();
    out.writeInt((int) crc.getValue());
    Path p = Snapshots.pathFor(dir, 7);
    Files.write(p, bytes.toByteArray());
    Snapshots.Loaded l = new Snapshots(dir, Limits.DEFAULT).load(p);
    assertThat(l.seq()).isEqualTo(7);
    assertThat(l.consistentSeq()).isEqualTo(7);
    assertThat(l.state().get(Key.of("k"))).isEqualTo("v1".getBytes());
    assertThat(l.state().openStimuli()).containsEntry(Key.of("req"), 5L);
  }
}
