package dev.availability.ou.sidecar;

import static dev.availability.ou.sidecar.BenchSettings.ENCRYPTION;
import static dev.availability.ou.sidecar.BenchSettings.FSYNC;
import static dev.availability.ou.sidecar.BenchSettings.HEAP_MIB;
import static dev.availability.ou.sidecar.BenchSettings.HEAP_OPTION;
import static dev.availability.ou.sidecar.BenchSettings.PREWARM_CELLS;
import static dev.availability.ou.sidecar.BenchSettings.ROUNDS;
import static dev.availability.ou.sidecar.BenchSettings.SIZES;
import static dev.availability.ou.sidecar.BenchSettings.STANDBY_DIR;
import static dev.availability.ou.sidecar.BenchSettings.STATE_KEYS;
import static dev.availability.ou.sidecar.BenchSettings.STATE_MIB;
import static dev.availability.ou.sidecar.BenchSettings.WRITERS;
import static dev.availability.ou.sidecar.CellRunner.measure;
import static dev.availability.ou.sidecar.CellRunner.measureServedBy;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The replication benchmark (run it with {@code bench/replication}): the application's client → local
 * sidecar → peer sidecar as separate processes on loopback, in Synchronous and Asynchronous mode,
 * against the baseline of the same sidecar writing the same log without replication (no peer: the
 * application's local write), and for reference the log written in this process with no local API hop,
 * interleaved (direct, local, sync, async, then the peers' cells: PostgreSQL with a synchronous standby and
 * Redis with a replica, see {@link Peers}) in the same run; 1, 16 and 128
 * concurrent writers; 128 B and 4 KiB values; fixed duration after warm-up. Prints the machine, a
 * table, the fsync policy, the sidecars' resident memory and start time, and as the last line one JSON
 * object. System properties: bench.seconds, bench.warmup, bench.rounds, bench.writers, bench.sizes, bench.fsync, bench.peers.
 */
public final class ReplicationBench {
  private ReplicationBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("ou-bench-");
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    System.out.println("== ou-sidecar replication benchmark ==");
    MachineProbes.machine();
    double[][] probes = MachineProbes.rawFsync(root);
    double[] fsyncUs = probes[0];
    double[] pairedUs = probes[1];
    double[] rtt = MachineProbes.loopbackRtt();
    System.out.printf(
        Locale.ROOT,
        "stream encryption: %s; sidecar JVM flags: %s%n",
        ENCRYPTION,
        String.join(" ", SidecarProcess.jvmFlags(HEAP_OPTION)));
    System.out.printf(
        Locale.ROOT,
        "state: the same %d keys in every cell, about %d MiB at the largest value; sidecar heap %d MiB, as the operator sizes it"
            + " for spec.replication.stateMemory: %dMi%n",
        STATE_KEYS,
        STATE_MIB,
        HEAP_MIB,
        STATE_MIB);
    System.out.printf(
        Locale.ROOT,
        "fsync policy: %s; raw fsync of 256 B on the data disk: p50 %.0f us, p99 %.0f us (%s)%n",
        FSYNC,
        fsyncUs[0],
        fsyncUs[1],
        fsyncUs[0] < 50
            ? "fast: a write cache absorbs fsync here, so durability figures are optimistic"
            : "the disk honours fsync");
    System.out.printf(
        Locale.ROOT,
        "two logs fsynced at once on this disk (primary and standby share it here; in a cluster each has its own):"
            + " p50 %.0f us, p99 %.0f us; mean one / mean two at once = %.2f (at most 1), about the most sync / local can reach with 1 writer here%n",
        pairedUs[0],
        pairedUs[1],
        CeilingComparison.ceiling(fsyncUs, pairedUs));
    System.out.printf(
        Locale.ROOT,
        "loopback TCP round trip (1 byte ping-pong): p50 %.1f us, p99 %.1f us%n",
        rtt[0],
        rtt[1]);

    SidecarProcess standby = new SidecarProcess("bench-standby", net + "2", root, key)
        .heapMiB(HEAP_MIB)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_FSYNC", FSYNC)
        .with("OU_LOG_RETENTION", "64Mi")
        .with("OU_SEGMENT_BYTES", "16Mi");
    SidecarProcess primary = new SidecarProcess("bench-primary", net + "1", root, key)
        .heapMiB(HEAP_MIB)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", standby.replicationEndpoint())
        .with("OU_FSYNC", FSYNC)
        .with("OU_MODE", "Synchronous")
        .with("OU_LOG_RETENTION", "64Mi")
        .with("OU_SEGMENT_BYTES", "16Mi");
    Path standbyData = STANDBY_DIR.isEmpty()
        ? null
        : Files.createTempDirectory(
            Files.createDirectories(Path.of(STANDBY_DIR)), "ou-bench-standby-");
    if (standbyData != null) standby.with("OU_DATA_DIR", standbyData.toString());
    System.out.printf(
        Locale.ROOT,
        "standby data: %s%n",
        standbyData == null
            ? "beside the primary's, on the same disk"
            : standbyData + " (BENCH_STANDBY_DIR: "
                + Files.getFileStore(standbyData).type() + " "
                + Files.getFileStore(standbyData).name() + ")");
    for (SidecarProcess p : List.of(standby, primary)) p.env.put("OU_HEARTBEAT_INTERVAL", "200ms");
    for (SidecarProcess p : List.of(standby, primary))
      p.env.put("OU_STREAM_ENCRYPTION", ENCRYPTION);
    // The baseline the goals are held against: the same sidecar program, local API and log, with no
    // peer.
    SidecarProcess local = new SidecarProcess("bench-local", net + "3", root, key)
        .heapMiB(HEAP_MIB)
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_FSYNC", FSYNC)
        .with("OU_MODE", "Asynchronous")
        .with("OU_LOG_RETENTION", "64Mi")
        .with("OU_SEGMENT_BYTES", "16Mi");
    standby.start();
    primary.start();
    local.start();
    long[] startMs = {standby.startMillis, primary.startMillis, local.startMillis};
    DirectLog direct = new DirectLog(root.resolve("direct"), net);
    List<CellResult> results = new ArrayList<>();
    List<Peer> peers = List.of();
    List<String> versions = new ArrayList<>();
    boolean completed = false;
    try (OuClient admin = primary.client()) {
      peers = Peers.start(root, net);
      for (Peer peer : peers) versions.add(peer.version());
      if (!peers.isEmpty())
        System.out.println("peers: " + String.join(", ", versions)
            + " (primary and replica each, on loopback, data beside the sidecars')");
      waitInSync(primary);
      prewarm(admin, primary, standby);
      for (int size : SIZES) {
        for (int writers : WRITERS) {
          for (int round = 0; round < ROUNDS; round++) {
            results.add(measure("direct", writers, size, (k, v) -> direct.write(k, v), List.of()));
            try (OuClient c = local.client()) {
              results.add(measure("local", writers, size, c::put, List.of(local)));
            }
            assignMode(admin, standby, "Synchronous");
            try (OuClient c = primary.client()) {
              results.add(measure("sync", writers, size, c::put, List.of(primary, standby)));
            }
            assignMode(admin, standby, "Asynchronous");
            try (OuClient c = primary.client()) {
              results.add(measure("async", writers, size, c::put, List.of(primary, standby)));
            }
            waitInSync(primary);
            for (Peer peer : peers) {
              for (String subject : peer.subjects()) {
                try (Peer.Cell cell = peer.cell(subject)) {
                  results.add(measureServedBy(subject, writers, size, cell, peer.pids()));
                }
                peer.waitInSync();
              }
            }
          }
        }
      }
      long[] memP = primary.memoryKib();
      long[] memS = standby.memoryKib();
      BenchReport.report(
          results, memP, memS, startMs, fsyncUs, pairedUs, rtt, primary, standby, versions);
      completed = true;
    } finally {
      for (Peer peer : peers) peer.close();
      direct.close();
      local.close();
      primary.close();
      standby.close();
      if (standbyData != null) deleteTree(standbyData); // it may be memory (a tmpfs)
      // A full run leaves some 350 MiB of logs; kept after a failure, for its logs.
      if (completed) deleteTree(root);
      else System.err.println("the sidecars' data and logs are kept in " + root);
    }
  }

  /** Runs {@link BenchSettings#PREWARM_CELLS} unmeasured cells of each mode (the JIT's warm-up, not the cells'). */
  static void prewarm(OuClient admin, SidecarProcess primary, SidecarProcess standby)
      throws Exception {
    if (PREWARM_CELLS <= 0) return;
    int size = java.util.Arrays.stream(SIZES).max().orElse(128);
    System.out.printf(
        Locale.ROOT,
        "warming the sidecars' JIT up: %d unmeasured Synchronous and Asynchronous cell(s) of 16 writers x %d B%n",
        PREWARM_CELLS,
        size);
    for (int i = 0; i < PREWARM_CELLS; i++) {
      for (String mode : List.of("Synchronous", "Asynchronous")) {
        assignMode(admin, standby, mode);
        try (OuClient c = primary.client()) {
          measure("prewarm", 16, size, c::put, List.of(primary, standby));
        }
      }
    }
    waitInSync(primary);
  }

  /** The unit's mode, to both members as the operator assigns it (the standby paces its ACKs by it). */
  static void assignMode(OuClient primary, SidecarProcess standby, String mode) {
    try (OuClient s = standby.client()) {
      s.assign(MemberRole.STANDBY, 1, null, mode);
    }
    primary.assign(MemberRole.PRIMARY, 1, standby.replicationEndpoint(), mode);
  }

  static void waitInSync(SidecarProcess primary) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var s = primary.status();
      if (s.number("standbyAckedSeq") >= s.lastSeq()) return;
      Thread.sleep(50);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
        Files.deleteIfExists(p);
    }
  }
}
