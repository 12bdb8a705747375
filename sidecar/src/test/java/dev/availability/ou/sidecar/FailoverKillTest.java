package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.OuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synchronous mode under SIGKILL of the primary at random points: after each kill the standby is
 * promoted at a new epoch and the old primary restarts as standby with its volume. Every update
 * acknowledged to a client is on the promoted standby, whose state is the acknowledged prefix plus at
 * most the updates that were in flight; after each rejoin both members hold the same state.
 *
 * <p>Default: 1 run x 4 kills x 1,500 updates (CI). {@code -Dou.sidecar.fullAcceptance=true}: 10 runs
 * x 10 kills x 10,000 updates = 100,000 updates and 100 kills.
 */
class FailoverKillTest {
  static final boolean FULL = Boolean.getBoolean("ou.sidecar.fullAcceptance");
  static final int RUNS = Integer.getInteger("ou.sidecar.killRuns", FULL ? 10 : 1);
  static final int KILLS = Integer.getInteger("ou.sidecar.killsPerRun", FULL ? 10 : 4);
  static final int UPDATES = Integer.getInteger("ou.sidecar.updatesPerRun", FULL ? 10_000 : 1_500);
  static final int WRITERS = 4;

  @TempDir
  Path tmp;

  /** One writer: keys w{id}-{n}, value "n"; remembers what was acknowledged and what was attempted. */
  static final class Writer {
    final int id;
    volatile int
        ackedUpTo; // every n <= ackedUpTo was acknowledged (a writer retries n until it is)
    volatile int attemptedUpTo;

    Writer(int id) {
      this.id = id;
    }

    String key(int n) {
      return "w" + id + "-" + n;
    }
  }

  @Test
  void zeroAcknowledgedUpdatesLostAcrossKilledPrimaries() throws Exception {
    long totalAcked = 0;
    int totalKills = 0;
    long started = System.nanoTime();
    for (int run = 0; run < RUNS; run++) {
      Path root = Files.createDirectories(tmp.resolve("run" + run));
      int[] r = oneRun(root, new Random(run * 7919L + System.nanoTime()));
      totalAcked += r[0];
      totalKills += r[1];
    }
    System.out.printf(
        "FailoverKillTest: %d runs, %d kills, %d acknowledged updates, 0 lost, %.1f s%n",
        RUNS, totalKills, totalAcked, (System.nanoTime() - started) / 1e9);
    assertThat(totalKills).isEqualTo(RUNS * KILLS);
  }

  /** Returns {acknowledged updates, kills}. */
  int[] oneRun(Path root, Random random) throws Exception {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    SidecarProcess[] members = {
      new SidecarProcess("m0", net + "1", root, key), new SidecarProcess("m1", net + "2", root, key)
    };
    for (SidecarProcess m : members) m.with("OU_FSYNC", "always");
    long epoch = 1;
    members[1].with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    members[0]
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", members[1].replicationEndpoint())
        .start();
    final SidecarProcess[] primary = {members[0]};
    final AtomicLong generation = new AtomicLong();
    final AtomicInteger acked = new AtomicInteger();
    final Object gate = new Object();
    final boolean[] paused = {false};
    final boolean[] done = {false};
    Writer[] writers = new Writer[WRITERS];
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Writer wr = writers[w] = new Writer(w);
      Thread t = new Thread(
          () -> {
            int n = 1;
            while (true) {
              long gen;
              SidecarProcess target;
              synchronized (gate) {
                while (paused[0] && !done[0]) {
                  try {
                    gate.wait();
                  } catch (InterruptedException e) {
                    return;
                  }
                }
                if (done[0]) return;
                gen = generation.get();
                target = primary[0];
              }
              try (OuClient c = target.client()) {
                while (generation.get() == gen && !done[0]) {
                  wr.attemptedUpTo = Math.max(wr.attemptedUpTo, n);
                  c.put(wr.key(n), Integer.toString(n).getBytes());
                  wr.ackedUpTo = n;
                  n++;
                  if (acked.incrementAndGet() >= UPDATES) {
                    synchronized (gate) {
                      done[0] = true;
                      gate.notifyAll();
                    }
                  }
                }
              } catch (OuException e) {
                // the primary died or was deposed: wait for the next one and retry the same update
                synchronized (gate) {
                  while (generation.get() == gen && !done[0]) {
                    try {
                      gate.wait(50);
                    } catch (InterruptedException ie) {
                      return;
                    }
                  }
                }
              }
            }
          },
          "writer-" + w);
      threads.add(t);
      t.start();
    }
    int kills = 0;
    try {
      for (int k = 0; k < KILLS; k++) {
        int threshold = (int)
            ((long) UPDATES * k / KILLS + random.nextInt(Math.max(1, UPDATES / KILLS / 2)) + 1);
        while (acked.get() < threshold) Thread.sleep(1);
        Thread.sleep(random.nextInt(5)); // a random point inside the stream of in-flight writes
        SidecarProcess old = primary[0];
        SidecarProcess next = old == members[0] ? members[1] : members[0];
        synchronized (gate) {
          paused[0] = true;
        }
        old.kill();
        kills++;
        // What the clients were told: everything up to ackedUpTo.
        int[] ackedAtKill = new int[WRITERS];
        int[] attemptedAtKill = new int[WRITERS];
        Thread.sleep(20); // in-flight calls fail on the broken connection
        for (int w = 0; w < WRITERS; w++) {
          ackedAtKill[w] = writers[w].ackedUpTo;
          attemptedAtKill[w] = writers[w].attemptedUpTo;
        }
        epoch++;
        next.assign(MemberRole.PRIMARY, epoch, old);
        // The promoted standby holds every acknowledged update, and nothing that was never
        // attempted.
        Map<String, byte[]> state = next.all();
        for (int w = 0; w < WRITERS; w++) {
          for (int n = 1; n <= ackedAtKill[w]; n++) {
            byte[] v = state.get(writers[w].key(n));
            assertThat(v)
                .as("acknowledged %s lost after kill %d", writers[w].key(n), kills)
                .isNotNull();
            assertThat(new String(v)).isEqualTo(Integer.toString(n));
          }
          assertThat(state)
              .as("never attempted")
              .doesNotContainKey(writers[w].key(attemptedAtKill[w] + 1));
        }
        assertThat(state.size()).isBetween(sum(ackedAtKill), sum(attemptedAtKill));
        // The old primary comes back as the standby, with its volume.
        old.env.put("OU_ROLE", "Standby");
        old.env.put("OU_EPOCH", Long.toString(epoch));
        old.env.remove("OU_PEER_ENDPOINT");
        old.start();
        synchronized (gate) {
          primary[0] = next;
          generation.incrementAndGet();
          paused[0] = false;
          gate.notifyAll();
        }
      }
      synchronized (gate) {
        while (!done[0]) gate.wait(100);
      }
      for (Thread t : threads) t.join(60_000);
      SidecarProcess p = primary[0];
      SidecarProcess s = p == members[0] ? members[1] : members[0];
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> s.status().durableSeq() >= p.status().lastSeq());
      Map<String, byte[]> ps = p.all();
      Map<String, byte[]> ss = s.all();
      assertThat(ss.keySet()).isEqualTo(ps.keySet());
      for (String k : ps.keySet()) assertThat(ss.get(k)).as(k).isEqualTo(ps.get(k));
      for (Writer w : writers)
        for (int n = 1; n <= w.ackedUpTo; n++) assertThat(ps).containsKey(w.key(n));
      System.out.printf(
          "run: %d acknowledged updates, %d kills, final epoch %d, %d keys on both members, tail records cut on rejoin: %d + %d%n",
          acked.get(),
          kills,
          epoch,
          ps.size(),
          members[0].counter("tailRecordsCut"),
          members[1].counter("tailRecordsCut"));
      return new int[] {acked.get(), kills};
    } finally {
      synchronized (gate) {
        done[0] = true;
        gate.notifyAll();
      }
      for (SidecarProcess m : members) m.close();
    }
  }

  static int sum(int[] a) {
    int s = 0;
    for (int x : a) s += x;
    return s;
  }
}
