package dev.availability.ou.sidecar;

import static dev.availability.ou.sidecar.PoolProcesses.unitField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.InvalidRequestException;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.NotPrimaryException;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.SidecarStatus;
import dev.availability.ou.sidecar.PoolProcesses.UnitWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared standby (N+1) with real processes on loopback: three units' primaries (Synchronous) stream to one pooled
 * sidecar that holds a replica of each. When unit 2's primary is killed and unit 2 promoted in the pooled sidecar,
 * the application there serves unit 2 with every write acknowledged to it, while units 1 and 3 keep streaming
 * to it without a failed write. Units join (snapshot, then stream) and leave (data deleted) at run time. A killed
 * shared standby restarts with its volume and each unit catches up from its primary's log.
 */
class PooledStandbyProcessTest {
  @TempDir
  Path tmp;

  @Test
  void takeoverOfUnit2LosesNoAcknowledgedWriteAndUnits1And3KeepStreaming() throws Exception {
    try (PoolProcesses pp = new PoolProcesses(tmp)) {
      SidecarProcess pool = pp.pool(1, 2, 3).start();
      SidecarProcess[] primary = {null, pp.primary(1), pp.primary(2), pp.primary(3)};
      for (int k = 1; k <= 3; k++) primary[k].start();
      // Each unit holds some state (1,500 keys of 1 KiB) before the load: the pooled sidecar holds
      // all three.
      for (int k = 1; k <= 3; k++) preload(primary[k], "u" + k + "-preload-", 1_500, 1024);
      List<RoleChange> seen = new CopyOnWriteArrayList<>();
      try (OuClient app = pool.client()) {
        app.onRoleChange(seen::add);
        UnitWriter[] writer = {
          null, pp.write(1, primary[1]), pp.write(2, primary[2]), pp.write(3, primary[3])
        };
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> writer[1].acked.get() > 300
                && writer[2].acked.get() > 300
                && writer[3].acked.get() > 300);
        // All three in sync there (a state reached, not an instant: awaited).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          SidecarStatus s = pool.status();
          for (String u : List.of("u1", "u2", "u3")) {
            assertThat(unitField(s, u, "role"))
                .as("%s in the pooled sidecar", u)
                .isEqualTo("STANDBY");
            assertThat(unitField(s, u, "inSync"))
                .as("%s in sync in the pooled sidecar", u)
                .isEqualTo("true");
          }
          assertThat(pool.http("/readyz")).startsWith("200");
          assertThat(pool.http("/status?unit=u2"))
              .contains("\"role\":\"STANDBY\"", "\"inSync\":true");
        });
        SidecarStatus before = pool.status();
        assertThat(pool.http("/metrics"))
            .contains("ou_sidecar_durable_seq{unit=\"u1\"}", "{unit=\"u3\"}");
        assertThatThrownBy(() -> app.get("u2-1"))
            .as("a shared standby serves no unit before a promotion")
            .isInstanceOf(NotPrimaryException.class)
            .hasMessageContaining("serves no unit");
        long[] rss = pool.memoryKib();
        long[] one = primary[1].memoryKib();
        System.out.printf(
            "PooledStandbyProcessTest: pooled sidecar of 3 units (%d KiB of state in all, heap needed %d MiB):"
                + " VmRSS %d MiB (RssAnon %d MiB, RssFile %d MiB), %d threads; a one-unit sidecar (u1's primary,"
                + " %d KiB): VmRSS %d MiB (RssAnon %d MiB, RssFile %d MiB), %d threads; both with JVM flags %s%n",
            before.number("unit.u1.stateBytes")
                    + before.number("unit.u2.stateBytes")
                    + before.number("unit.u3.stateBytes")
                >> 10,
            Long.parseLong(pool.http("/metrics")
                    .lines()
                    .filter(l -> l.startsWith("ou_sidecar_heap_needed_bytes "))
                    .findFirst()
                    .orElseThrow()
                    .split(" ")[1])
                >> 20,
            rss[0] / 1024,
            rss[2] / 1024,
            rss[3] / 1024,
            threads(pool),
            primary[1].status().number("stateBytes") >> 10,
            one[0] / 1024,
            one[2] / 1024,
            one[3] / 1024,
            threads(primary[1]),
            String.join(" ", SidecarProcess.JVM_FLAGS));

        // Unit 2's primary dies (SIGKILL): everything acknowledged to its clients is in the pooled
        // sidecar.
        primary[2].kill();
        writer[2].stop();
        long acked2 = writer[2].acked.get();
        long[] units1And3Before = {writer[1].acked.get(), writer[3].acked.get()};
        app.assign("u2", MemberRole.PRIMARY, 2, null, null);
        Map<String, byte[]> served = app.getAll();
        for (long n = 1; n <= acked2; n++) {
          byte[] v = served.get(writer[2].key(n));
          assertThat(v)
              .as("acknowledged write %s lost in the takeover", writer[2].key(n))
              .isNotNull();
          assertThat(new String(v)).isEqualTo(Long.toString(n));
        }
        assertThat(served.keySet())
            .as("the application serves unit 2 alone: no key of units 1 and 3")
            .allMatch(k -> k.startsWith("u2-"))
            .contains("u2-preload-0", "u2-preload-1499");
        app.put("u2-after-takeover", "served".getBytes());
        assertThat(app.get("u2-after-takeover")).isPresent();
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(seen).anySatisfy(c -> {
              assertThat(c.role()).isEqualTo(MemberRole.PRIMARY);
              assertThat(c.epoch()).isEqualTo(2);
              assertThat(c.serving()).isTrue();
              assertThat(c.unit()).isEqualTo("u2");
            }));
        assertThat(seen.get(0).unit())
            .as("the first event: a standby of no unit")
            .isNull();
        assertThat(seen.get(0).role()).isEqualTo(MemberRole.STANDBY);
        assertThat(app.status().fields())
            .containsEntry("unit", "u2")
            .containsEntry("role", "PRIMARY");

        // A second promotion in the same shared standby is refused: unit 3 stays a standby, in
        // sync.
        assertThatThrownBy(() -> app.assign("u3", MemberRole.PRIMARY, 2, null, null))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("already serves unit u2")
            .hasMessageContaining("u3 is not promoted here");
        assertThatThrownBy(() -> app.assign(MemberRole.STANDBY, 2, null, null))
            .as("an ASSIGN that names no unit")
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("must name the unit (one of u1, u2, u3)");
        assertThatThrownBy(() -> app.removePoolUnit("u2"))
            .as("the unit served cannot leave with its data")
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("u2 is primary here");

        // Units 1 and 3 kept streaming to the pooled sidecar: more writes, none failed, still in
        // sync there.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> writer[1].acked.get() > units1And3Before[0] + 300
                && writer[3].acked.get() > units1And3Before[1] + 300);
        writer[1].stop();
        writer[3].stop();
        for (int k : new int[] {1, 3}) {
          assertThat(writer[k].failed.get())
              .as("failed writes of unit %d during unit 2's takeover: %s", k, writer[k].failures)
              .isZero();
          String u = "u" + k;
          long primaryLast = primary[k].status().lastSeq();
          await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            SidecarStatus s = pool.status();
            assertThat(unitField(s, u, "role")).isEqualTo("STANDBY");
            assertThat(unitField(s, u, "inSync")).as("%s in sync", u).isEqualTo("true");
            assertThat(s.number("unit." + u + ".durableSeq")).isEqualTo(primaryLast);
            assertThat(s.number("unit." + u + ".keys"))
                .isEqualTo(primary[k].status().number("keys"));
          });
        }
        assertThat(pool.http("/readyz"))
            .as("ready: it serves unit 2; every unit shown")
            .startsWith("200 ready")
            .contains(
                "u1: Standby at epoch 1, in sync",
                "u2: Primary at epoch 2, serving",
                "u3: Standby at epoch 1, in sync");
        assertThat(pool.http("/status"))
            .contains("\"unit\":\"u2\"", "\"unit.u3.role\":\"STANDBY\"");
      }
    }
  }

  @Test
  void aKilledSharedStandbyRestartsWithItsVolumeAndEveryUnitCatchesUpFromItsPrimarysLog()
      throws Exception {
    try (PoolProcesses pp = new PoolProcesses(tmp)) {
      SidecarProcess pool = pp.pool(1, 2, 3).start();
      SidecarProcess[] primary = {null, pp.primary(1), pp.primary(2), pp.primary(3)};
      for (int k = 1; k <= 3; k++) primary[k].start();
      UnitWriter[] writer = {
        null, pp.write(1, primary[1]), pp.write(2, primary[2]), pp.write(3, primary[3])
      };
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> writer[1].acked.get() > 200
              && writer[2].acked.get() > 200
              && writer[3].acked.get() > 200);
      long[] catchUpsBefore = new long[4];
      for (int k = 1; k <= 3; k++) catchUpsBefore[k] = primary[k].counter("catchUpsFromLog");
      pool.kill(); // the shared standby's process dies; its volume stays
      long[] ackedAtKill = {0, writer[1].acked.get(), writer[2].acked.get(), writer[3].acked.get()};
      pool.start();
      // Synchronous primaries wait for their standby (up to OU_SYNC_TIMEOUT) and go on once it is
      // back.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> writer[1].acked.get() > ackedAtKill[1] + 200
              && writer[2].acked.get() > ackedAtKill[2] + 200
              && writer[3].acked.get() > ackedAtKill[3] + 200);
      for (int k = 1; k <= 3; k++) writer[k].stop();
      for (int k = 1; k <= 3; k++) {
        String u = "u" + k;
        SidecarProcess p = primary[k];
        long primaryLast = p.status().lastSeq();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          SidecarStatus s = pool.status();
          assertThat(unitField(s, u, "inSync")).as("%s in sync again", u).isEqualTo("true");
          assertThat(s.number("unit." + u + ".durableSeq")).isEqualTo(primaryLast);
          assertThat(s.number("unit." + u + ".keys")).isEqualTo(p.status().number("keys"));
        });
        assertThat(p.counter("snapshotsSent"))
            .as("%s caught up from its primary's log, without a snapshot", u)
            .isZero();
        assertThat(p.counter("catchUpsFromLog"))
            .as("%s's catch-ups from the log since the restart", u)
            .isGreaterThan(catchUpsBefore[k]);
      }
      assertThat(pool.http("/readyz")).startsWith("200");
    }
  }

  /** The process's threads, from /proc. */
  private static long threads(SidecarProcess p) throws java.io.IOException {
    return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
        .filter(l -> l.startsWith("Threads:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
        .findFirst()
        .orElse(-1);
  }

  /** {@code count} keys of {@code valueBytes} each, pipelined (Synchronous: each acknowledged once the standby holds it). */
  private static void preload(SidecarProcess p, String prefix, int count, int valueBytes)
      throws Exception {
    byte[] value = "v".repeat(valueBytes).getBytes();
    try (OuClient c = p.client()) {
      List<java.util.concurrent.CompletableFuture<Long>> pending = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        pending.add(c.putAsync((prefix + i).getBytes(), value));
        if (pending.size() == 64) {
          for (var f : pending) f.get(30, java.util.concurrent.TimeUnit.SECONDS);
          pending.clear();
        }
      }
      for (var f : pending) f.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void aUnitAddedAtRunTimeCatchesUpBySnapshotThenStreamAndARemovedUnitLeavesNoData()
      throws Exception {
    try (PoolProcesses pp = new PoolProcesses(tmp)) {
      SidecarProcess pool = pp.pool(1).start();
      SidecarProcess p1 = pp.primary(1).start();
      // Unit 4 runs alone at first, with a log short enough that a newcomer needs a snapshot.
      SidecarProcess p4 = pp.primary(4)
          .with("OU_SEGMENT_BYTES", "16Ki")
          .with("OU_LOG_RETENTION", "16Ki")
          .with("OU_DATA_DURABILITY", "preferred")
          .start();
      UnitWriter w1 = pp.write(1, p1);
      try (OuClient c = p4.client()) {
        for (int i = 1; i <= 3000; i++)
          c.put("u4-k" + (i % 500), ("value-" + i + "-" + "x".repeat(40)).getBytes());
        await().atMost(Duration.ofSeconds(30)).until(() -> p4.status().number("firstLogSeq") > 1);
      }
      pp.key(4);
      try (OuClient c = p1.client()) {
        assertThatThrownBy(() -> c.addPoolUnit("u4", pp.poolEndpoint(4)))
            .as("a sidecar that is not pooled")
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("not pooled");
      }
      try (OuClient app = pool.client()) {
        assertThatThrownBy(() -> app.addPoolUnit("u4", pp.poolEndpoint(1)))
            .as("unit 4 on unit 1's port")
            .isInstanceOf(dev.availability.ou.client.OuException.class)
            .hasMessageContaining("u4 could not join the pool");
        assertThatThrownBy(() -> app.addPoolUnit("u5", pp.poolEndpoint(5)))
            .as("a unit without its key in OU_PEER_KEY_DIR")
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("no peer key for unit u5");
        // What the failed join opened is closed again: the same unit joins on its own port.
        app.addPoolUnit("u4", pp.poolEndpoint(4));
        app.assign("u4", MemberRole.STANDBY, 1, p4.replicationEndpoint(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> p4.counter("snapshotsSent") >= 1);
        UnitWriter w4 = pp.write(4, p4);
        await().atMost(Duration.ofSeconds(30)).until(() -> w4.acked.get() > 200);
        w4.stop();
        long last4 = p4.status().lastSeq();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          SidecarStatus s = pool.status();
          assertThat(s.number("unit.u4.counter.snapshotsInstalled")).isEqualTo(1);
          assertThat(s.number("unit.u4.durableSeq")).isEqualTo(last4);
          assertThat(s.number("unit.u4.keys")).isEqualTo(p4.status().number("keys"));
          assertThat(unitField(s, "u4", "inSync")).isEqualTo("true");
        });
        assertThat(w4.failed.get())
            .as("unit 4's writes once it streams: %s", w4.failures)
            .isZero();
        Path data4 = pool.dataDir.resolve("u4");
        assertThat(data4).isDirectory();

        // Unit 4 leaves: its listener closes, its stream stops, its data is gone; unit 1 goes on.
        app.removePoolUnit("u4");
        assertThat(Files.exists(data4))
            .as("unit 4's data after it left the pool")
            .isFalse();
        assertThat(app.status().fields())
            .doesNotContainKey("unit.u4.role")
            .containsEntry("poolUnits", "u1");
        assertThat(pool.http("/status?unit=u4")).startsWith("404");
        assertThatThrownBy(
                () -> new java.net.Socket(pp.net + "9", PoolProcesses.unitPort(4)).close())
            .as("unit 4's replication listener")
            .isInstanceOf(java.net.ConnectException.class);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !Boolean.parseBoolean(p4.status().fields().get("standbyConnected")));
        long acked1 = w1.acked.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> w1.acked.get() > acked1 + 100);
        w1.stop();
        assertThat(w1.failed.get()).as("unit 1's writes: %s", w1.failures).isZero();
        assertThat(unitField(pool.status(), "u1", "inSync")).isEqualTo("true");
      }
    }
  }
}
