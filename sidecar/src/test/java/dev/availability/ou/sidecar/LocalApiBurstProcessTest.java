package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.OuClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many pipelined writes on one local connection, against a real primary and standby sidecar: the primary reads
 * them in bursts and commits each burst on the connection's reader thread (one log append and flush per
 * burst), and writes the acknowledgements there too. Every acknowledgement keeps its order and its mode's
 * durability: in Asynchronous the write is in the primary's log, in Synchronous on the standby as well.
 */
class LocalApiBurstProcessTest {
  static final int THREADS = 8;
  static final int PER_THREAD = 300;

  @TempDir
  Path root;

  SidecarProcess primary;
  SidecarProcess standby;

  @BeforeEach
  void setUp() throws Exception {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("standby", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_LOST_AFTER", "20s");
    primary = new SidecarProcess("primary", net + "1", root, key)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", standby.replicationEndpoint())
        .with("OU_PEER_LOST_AFTER", "20s");
  }

  @AfterEach
  void tearDown() throws Exception {
    signal(standby, "CONT");
    primary.close();
    standby.close();
  }

  /** The value each write carries: 4 KiB naming its writer and its index, so that any mix-up shows. */
  static byte[] value(int thread, int i) {
    return value(thread, i, 4096);
  }

  static byte[] value(int thread, int i, int size) {
    byte[] v = new byte[size];
    byte[] name = ("t" + thread + "/" + i + "/").getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < v.length; at++) v[at] = name[at % name.length];
    return v;
  }

  static String key(int thread, int i) {
    return "burst/" + thread + "/" + i;
  }

  @ParameterizedTest
  @ValueSource(strings = {"Asynchronous", "Synchronous"})
  void everyPipelinedWriteIsAcknowledgedInOrderWithItsModesDurability(String mode)
      throws Exception {
    standby.start();
    primary.with("OU_MODE", mode).start();
    awaitInSync();
    List<List<CompletableFuture<Long>>> acks = new ArrayList<>();
    try (OuClient c = primary.client()) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        acks.add(mine);
        int thread = t;
        threads.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; i < PER_THREAD; i++)
            mine.add(c.putAsync(key(thread, i).getBytes(StandardCharsets.UTF_8), value(thread, i)));
        }));
      }
      for (Thread t : threads) t.join();
      long last = 0;
      Set<Long> seqs = new HashSet<>();
      for (int t = 0; t < THREADS; t++) {
        long previous = 0;
        for (int i = 0; i < PER_THREAD; i++) {
          long seq = acks.get(t).get(i).get(30, TimeUnit.SECONDS);
          assertThat(seq)
              .as("thread %d write %d: acknowledged after the thread's write before it", t, i)
              .isGreaterThan(previous);
          assertThat(seqs.add(seq)).as("sequence %d acknowledged once", seq).isTrue();
          previous = seq;
          last = Math.max(last, seq);
        }
      }
      assertThat(c.status().durableSeq())
          .as("every acknowledged write is in the primary's log")
          .isGreaterThanOrEqualTo(last);
    }
    if (mode.equals("Synchronous")) {
      // Read at once, without waiting: what was acknowledged must be on the standby already.
      assertThat(standby.status().durableSeq())
          .as("the standby holds every write acknowledged in Synchronous")
          .isGreaterThanOrEqualTo(acks.stream()
              .flatMap(List::stream)
              .mapToLong(CompletableFuture::join)
              .max()
              .orElseThrow());
      assertHolds(standby.all());
    }
    // A crash of the primary loses no acknowledged write (it was appended and flushed before its
    // ack).
    primary.kill();
    primary.env.remove("OU_PEER_ENDPOINT");
    primary.with("OU_MODE", "Asynchronous").start();
    assertHolds(primary.all());
  }

  @Test
  void synchronousAcknowledgesNoWriteOfABurstBeforeTheStandbyHasIt() throws Exception {
    standby.start();
    primary.with("OU_MODE", "Synchronous").start();
    awaitInSync();
    try (OuClient c = primary.client()) {
      // The stopped standby leaves the burst's records in its socket, unread and unacknowledged
      // (small
      // values: they fit in the socket's buffers, so the primary's commit does not wait for it).
      signal(standby, "STOP");
      List<CompletableFuture<Long>> acks = new ArrayList<>();
      for (int i = 0; i < PER_THREAD; i++)
        acks.add(c.putAsync(key(0, i).getBytes(StandardCharsets.UTF_8), value(0, i, 128)));
      Thread.sleep(1500);
      assertThat(acks.stream().filter(CompletableFuture::isDone).count())
          .as("writes acknowledged while the standby is stopped")
          .isZero();
      assertThat(primary.status().durableSeq())
          .as("the primary committed the burst meanwhile")
          .isGreaterThanOrEqualTo(PER_THREAD);
      signal(standby, "CONT");
      for (CompletableFuture<Long> a : acks)
        assertThat(a.get(30, TimeUnit.SECONDS)).isPositive();
    }
    Map<String, byte[]> held = standby.all();
    for (int i = 0; i < PER_THREAD; i++)
      assertThat(held.get(key(0, i))).as(key(0, i)).isEqualTo(value(0, i, 128));
  }

  @Test
  void asynchronousGoesOnAcknowledgingWhileTheStandbyIsStopped() throws Exception {
    standby.start();
    primary.with("OU_MODE", "Asynchronous").start();
    awaitInSync();
    // 16 MiB: far more than the sockets' buffers hold for a standby that reads nothing
    int writes = 4000;
    long last = 0;
    try (OuClient c = primary.client()) {
      signal(standby, "STOP");
      // A log writer blocked sending to the stopped standby would hold the acknowledgements (and
      // the client's further writes) until the primary gives the standby up (OU_PEER_LOST_AFTER,
      // 20 s here): they must come long before.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<CompletableFuture<Long>> acks = new ArrayList<>();
      for (int i = 0; i < writes; i++)
        acks.add(c.putAsync(key(0, i).getBytes(StandardCharsets.UTF_8), value(0, i)));
      for (CompletableFuture<Long> a : acks)
        last =
            Math.max(last, a.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      assertThat(primary.status().number("standbyAckedSeq"))
          .as("the stopped standby acknowledged none of them: they were acknowledged without it")
          .isLessThan(last);
      signal(standby, "CONT");
    }
    long acknowledged = last;
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> standby.status().durableSeq() >= acknowledged);
    Map<String, byte[]> held = standby.all();
    for (int i = 0; i < writes; i++)
      assertThat(held.get(key(0, i))).as(key(0, i)).isEqualTo(value(0, i));
  }

  private void assertHolds(Map<String, byte[]> state) {
    for (int t = 0; t < THREADS; t++)
      for (int i = 0; i < PER_THREAD; i++)
        assertThat(state.get(key(t, i))).as(key(t, i)).isEqualTo(value(t, i));
  }

  private void awaitInSync() {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> standby.status().inSync());
  }

  /** Sends SIGSTOP or SIGCONT to the process (a standby that stops reading, as a stalled machine does). */
  private static void signal(SidecarProcess p, String sig) throws Exception {
    if (!p.alive()) return;
    new ProcessBuilder("kill", "-" + sig, "" + p.pid()).inheritIO().start().waitFor();
  }
}
