package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.LogRecord;
import dev.availability.ou.replication.RecordType;
import dev.availability.ou.replication.Terms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who writes a queued batch: the committing thread when the writer is idle, the writer thread otherwise. */
class LogWriterTest {
  static final long TERM = Terms.of(1, 1);

  @TempDir
  Path dir;

  Store store;
  LogWriter writer;
  /** The thread each batch was written on, and its last sequence. */
  final List<String> writtenOn = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() throws Exception {
    store = new Store(dir, Limits.DEFAULT, 1 << 20, new Counters());
    writer = new LogWriter(store, FsyncPolicy.parse("always"), new Counters());
    awaitWriterIdle();
  }

  /**
   * Until the writer's thread waits for work. Otherwise a record the test queues without waking it may be taken by
   * that thread on its first look (it started after the record was queued), not by the test's committing thread: the
   * cause of a once-in-a-while failure of the tests that check which thread wrote a batch.
   */
  private static void awaitWriterIdle() {
    await("the log writer's thread waits for work")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(1))
        .until(() -> Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("ou-log-writer"))
            .allMatch(t -> switch (t.getState()) {
              case WAITING, TIMED_WAITING, TERMINATED -> true;
              default -> false;
            }));
  }

  @AfterEach
  void close() throws Exception {
    writer.close();
    store.close();
  }

  static LogRecord put(long seq) {
    return new LogRecord(seq, TERM, RecordType.PUT, ("k" + seq).getBytes(), "v".getBytes());
  }

  @Test
  void aRecordQueuedWithoutWakingTheWriterIsWrittenAndMadeDurableOnTheCommittingThread() {
    writer.listen(
        (first, last, bytes, length) ->
            writtenOn.add(Thread.currentThread().getName() + "@" + last),
        s -> {});
    for (long seq = 1; seq <= 20; seq++) {
      writer.append(put(seq), false);
      writer.commitInline();
      // Durable when commitInline returns: no other thread was involved.
      assertThat(writer.durableSeq()).isEqualTo(seq);
    }
    assertThat(writtenOn)
        .hasSize(20)
        .allMatch(w -> w.startsWith(Thread.currentThread().getName() + "@"));
    assertThat(store.log().lastSeq()).isEqualTo(20);
  }

  @Test
  void recordsQueuedWithoutAWakeUpWhileAnotherThreadCommitsAreWrittenRightAfterItsBatch()
      throws Exception {
    CountDownLatch inFirstBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    writer.listen(
        (first, last, bytes, length) -> {
          writtenOn.add(Thread.currentThread().getName() + "@" + last);
          if (last == 1) {
            inFirstBatch.countDown();
            hold(release);
          }
        },
        s -> {});
    Thread committer = new Thread(
        () -> {
          writer.append(put(1), false);
          writer.commitInline(); // holds the batch until released
        },
        "committer");
    committer.start();
    assertThat(inFirstBatch.await(5, TimeUnit.SECONDS)).isTrue();

    writer.append(put(2), false);
    writer
        .commitInline(); // another thread is writing: leaves the record queued and returns at once
    assertThat(writer.durableSeq()).isLessThan(2);

    release.countDown();
    committer.join(5000);
    // Nobody woke the writer thread for record 2 and nobody commits again: the committer hands it
    // over.
    await().atMost(Duration.ofSeconds(5)).until(() -> writer.durableSeq() == 2);
    assertThat(writtenOn).containsExactly("committer@1", "ou-log-writer@2");
  }

  @Test
  void pacedRecordsQueuedWhileAnotherThreadCommitsWaitForTheirCallersCommit() throws Exception {
    CountDownLatch inFirstBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    writer.listen(
        (first, last, bytes, length) -> {
          writtenOn.add(Thread.currentThread().getName() + "@" + last);
          if (last == 1) {
            inFirstBatch.countDown();
            hold(release);
          }
        },
        s -> {});
    Thread committer = new Thread(
        () -> {
          writer.appendRaw(put(1).encode(), 1, false, true);
          writer.commitInline(); // holds the batch until released
        },
        "committer");
    committer.start();
    assertThat(inFirstBatch.await(5, TimeUnit.SECONDS)).isTrue();
    writer.appendRaw(
        put(2).encode(), 2, false, true); // an Asynchronous standby's: flushed when due
    release.countDown();
    committer.join(5000);
    Thread.sleep(200);
    assertThat(writer.durableSeq())
        .as("a paced record is not flushed by the writer thread behind its caller's back")
        .isEqualTo(1);
    writer.commitInline();
    assertThat(writer.durableSeq()).isEqualTo(2);
    assertThat(writtenOn).containsExactly("committer@1", Thread.currentThread().getName() + "@2");
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
