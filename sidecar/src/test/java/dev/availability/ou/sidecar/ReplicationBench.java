package dev.availability.ou.sidecar;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.contract.Role;
import dev.availability.ou.contract.SidecarHeap;
import dev.availability.ou.replication.KvState;
import dev.availability.ou.replication.RecordType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

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
  static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "3"));
  static final double WARMUP = Double.parseDouble(System.getProperty("bench.warmup", "1"));
  static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
  static final int[] WRITERS = ints(System.getProperty("bench.writers", "1,16,128"));
  static final int[] SIZES = ints(System.getProperty("bench.sizes", "128,4096"));
  static final String FSYNC = System.getProperty("bench.fsync", "always");
  static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux
  /** OU_STREAM_ENCRYPTION of the sidecars: aes-256-gcm (the default) or none (bench/replication then runs them C1-only, as the operator does). */
  static final String ENCRYPTION = System.getProperty("bench.encryption", "aes-256-gcm");
  /**
   * Where the standby keeps its data; empty: beside the primary's, on the same disk. Another disk shows
   * replication without the two logs' flushes competing, as in a cluster. A tmpfs removes the standby's
   * flush altogether: fair for Asynchronous (the standby's flush is off the write's path), flattering for
   * Synchronous (in a cluster the standby's flush costs what the primary's does, in parallel).
   */
  static final String STANDBY_DIR = System.getProperty("bench.standbyDir", "");
  /** The keys every cell rewrites (by default 15 for each of 128 writers: at 4 KiB about 8 MiB of state). */
  static final int STATE_KEYS = Integer.getInteger("bench.stateKeys", 1920);
  /** The state's size as a unit would declare it: keys and values plus about 100 bytes per key. */
  static final long STATE_MIB = (STATE_KEYS * (Arrays.stream(SIZES).max().orElse(0) + 110L) + (1 << 20) - 1) >> 20;
  /** The sidecars' heap: what the operator gives a unit declaring {@code stateMemory: <STATE_MIB>Mi}. */
  static final long HEAP_MIB = SidecarHeap.forStateMiB(STATE_MIB);
  static final String HEAP_OPTION = "-Xmx" + HEAP_MIB + "m";

  /** cpuTicks: CPU time of the sidecar processes serving the subject during the measured window (clock ticks). */
  record Result(String subject, int writers, int size, long ops, double seconds, long[] sortedNanos, long cpuTicks) {
    /** CPU of the sidecar processes per write, in microseconds (NaN for the in-process baseline). */
    double cpuMicrosPerOp() {
      return cpuTicks < 0 || ops == 0 ? Double.NaN : cpuTicks * 1e6 / TICKS_PER_SECOND / ops;
    }

    double throughput() {
      return ops / seconds;
    }

    double pct(double p) {
      if (sortedNanos.length == 0) return Double.NaN;
      return sortedNanos[Math.min(sortedNanos.length - 1, (int) Math.ceil(p * sortedNanos.length) - 1)] / 1000.0;
    }
  }

  interface Writer {
    void write(byte[] key, byte[] value) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("ou-bench-");
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    System.out.println("== ou-sidecar replication benchmark ==");
    machine();
    double[] fsyncUs = rawFsync(root, false);
    double[] pairedUs = rawFsync(root, true);
    double[] rtt = loopbackRtt();
    System.out.printf(Locale.ROOT, "stream encryption: %s; sidecar JVM flags: %s%n", ENCRYPTION, String.join(" ", SidecarProcess.jvmFlags(HEAP_OPTION)));
    System.out.printf(Locale.ROOT, "state: the same %d keys in every cell, about %d MiB at the largest value; sidecar heap %d MiB, as the operator sizes it"
        + " for spec.replication.stateMemory: %dMi%n", STATE_KEYS, STATE_MIB, HEAP_MIB, STATE_MIB);
    System.out.printf(Locale.ROOT, "fsync policy: %s; raw fsync of 256 B on the data disk: p50 %.0f us, p99 %.0f us (%s)%n", FSYNC, fsyncUs[0], fsyncUs[1],
        fsyncUs[0] < 50 ? "fast: a write cache absorbs fsync here, so durability figures are optimistic" : "the disk honours fsync");
    System.out.printf(Locale.ROOT, "two logs fsynced at once on this disk (primary and standby share it here; in a cluster each has its own):"
        + " p50 %.0f us, p99 %.0f us; mean one / mean two at once = %.2f, about the most sync / local can reach with 1 writer here%n",
        pairedUs[0], pairedUs[1], fsyncUs[2] / pairedUs[2]);
    System.out.printf(Locale.ROOT, "loopback TCP round trip (1 byte ping-pong): p50 %.1f us, p99 %.1f us%n", rtt[0], rtt[1]);

    SidecarProcess standby = new SidecarProcess("bench-standby", net + "2", root, key).heapMiB(HEAP_MIB).with("OU_ROLE", "Standby").with("OU_EPOCH", "1")
        .with("OU_FSYNC", FSYNC).with("OU_LOG_RETENTION", "64Mi").with("OU_SEGMENT_BYTES", "16Mi");
    SidecarProcess primary = new SidecarProcess("bench-primary", net + "1", root, key).heapMiB(HEAP_MIB).with("OU_ROLE", "Primary").with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", standby.replicationEndpoint()).with("OU_FSYNC", FSYNC).with("OU_MODE", "Synchronous")
        .with("OU_LOG_RETENTION", "64Mi").with("OU_SEGMENT_BYTES", "16Mi");
    Path standbyData = STANDBY_DIR.isEmpty() ? null : Files.createTempDirectory(Files.createDirectories(Path.of(STANDBY_DIR)), "ou-bench-standby-");
    if (standbyData != null) standby.with("OU_DATA_DIR", standbyData.toString());
    System.out.printf(Locale.ROOT, "standby data: %s%n", standbyData == null ? "beside the primary's, on the same disk"
        : standbyData + " (BENCH_STANDBY_DIR: " + Files.getFileStore(standbyData).type() + " " + Files.getFileStore(standbyData).name() + ")");
    for (SidecarProcess p : List.of(standby, primary)) p.env.put("OU_HEARTBEAT_INTERVAL", "200ms");
    for (SidecarProcess p : List.of(standby, primary)) p.env.put("OU_STREAM_ENCRYPTION", ENCRYPTION);
    // The baseline the goals are held against: the same sidecar program, local API and log, with no peer.
    SidecarProcess local = new SidecarProcess("bench-local", net + "3", root, key).heapMiB(HEAP_MIB).with("OU_ROLE", "Primary").with("OU_EPOCH", "1")
        .with("OU_FSYNC", FSYNC).with("OU_MODE", "Asynchronous").with("OU_LOG_RETENTION", "64Mi").with("OU_SEGMENT_BYTES", "16Mi");
    standby.start();
    primary.start();
    local.start();
    long[] startMs = {standby.startMillis, primary.startMillis, local.startMillis};
    Direct direct = new Direct(root.resolve("direct"), net);
    List<Result> results = new ArrayList<>();
    List<Peer> peers = List.of();
    List<String> versions = new ArrayList<>();
    boolean completed = false;
    try (OuClient admin = primary.client()) {
      peers = Peers.start(root, net);
      for (Peer peer : peers) versions.add(peer.version());
      if (!peers.isEmpty()) System.out.println("peers: " + String.join(", ", versions) + " (primary and replica each, on loopback, data beside the sidecars')");
      waitInSync(primary);
      for (int size : SIZES) {
        for (int writers : WRITERS) {
          for (int round = 0; round < ROUNDS; round++) {
            results.add(measure("direct", writers, size, (k, v) -> direct.write(k, v), List.of()));
            try (OuClient c = local.client()) {
              results.add(measure("local", writers, size, c::put, List.of(local)));
            }
            admin.assign(MemberRole.PRIMARY, 1, standby.replicationEndpoint(), "Synchronous");
            try (OuClient c = primary.client()) {
              results.add(measure("sync", writers, size, c::put, List.of(primary, standby)));
            }
            admin.assign(MemberRole.PRIMARY, 1, standby.replicationEndpoint(), "Asynchronous");
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
      report(results, memP, memS, startMs, fsyncUs, pairedUs, rtt, primary, standby, versions);
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

  static void waitInSync(SidecarProcess primary) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var s = primary.status();
      if (s.number("standbyAckedSeq") >= s.lastSeq()) return;
      Thread.sleep(50);
    }
  }

  /** The baseline: the same log implementation (sequencing, state, group commit, fsync policy) in process, no replication. */
  static final class Direct implements AutoCloseable {
    final Store store;
    final LogWriter writer;
    final Replica replica;

    Direct(Path dir, String net) throws Exception {
      Counters counters = new Counters();
      Config cfg = Config.from(Map.of("OU_DATA_DIR", dir.toString(), "OU_FSYNC", FSYNC, "OU_LOG_RETENTION", "64Mi", "OU_SEGMENT_BYTES", "16Mi",
          "OU_CONTROL", "standalone", "OU_REPLICATION_ADDRESS", net + "50:7480"), new String[0]);
      store = new Store(dir, dev.availability.ou.replication.Limits.DEFAULT, cfg.segmentBytes(), counters);
      writer = new LogWriter(store, cfg.fsync(), counters);
      replica = new Replica(cfg, store, writer, counters);
      replica.assign(Role.Primary, 1, null, Mode.ASYNCHRONOUS, "benchmark baseline");
      Thread t = new Thread(() -> {
        while (true) {
          replica.snapshots().maintain();
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
    }

    void write(byte[] k, byte[] v) {
      Thread me = Thread.currentThread();
      AtomicBoolean done = new AtomicBoolean();
      String[] err = {null};
      replica.write(RecordType.PUT, k, v, new Replica.Completion() {
        @Override public void ok(long seq) {
          done.set(true);
          LockSupport.unpark(me);
        }

        @Override public void fail(int status, String message) {
          err[0] = message;
          done.set(true);
          LockSupport.unpark(me);
        }
      }, true);
      replica.commitInline(); // as the local API does: on the writing thread when the log writer is idle
      while (!done.get()) LockSupport.park();
      if (err[0] != null) throw new IllegalStateException(err[0]);
    }

    @Override
    public void close() throws IOException {
      writer.close();
      store.close();
    }
  }

  /**
   * User and system CPU time of the processes and of their direct children (PostgreSQL's backends and
   * walsender/walreceiver are children of its postmaster), in clock ticks; -1 without processes.
   */
  static long cpuTicks(List<Long> pids) throws IOException {
    if (pids.isEmpty()) return -1;
    long sum = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        String[] f;
        try {
          String stat = Files.readString(proc.resolve("stat"));
          f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException gone) {
          continue; // ended meanwhile
        }
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pids.contains(pid) || pids.contains(Long.parseLong(f[1]))) { // f[1]: the parent's pid
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of stat)
        }
      }
    }
    return sum;
  }

  static List<Long> pids(List<SidecarProcess> processes) {
    return processes.stream().map(SidecarProcess::pid).toList();
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) Thread.sleep(Math.max(1, left / 1_000_000));
  }

  static Result measure(String subject, int writers, int size, Writer w, List<SidecarProcess> serving) throws Exception {
    return measureServedBy(subject, writers, size, w, pids(serving));
  }

  /** {@code serving}: the pids whose CPU (with their children's) counts for the subject. */
  static Result measureServedBy(String subject, int writers, int size, Writer w, Collection<Long> serving) throws Exception {
    long warmEnd = System.nanoTime() + (long) (WARMUP * 1e9);
    long end = warmEnd + (long) (SECONDS * 1e9);
    List<long[]> perThread = new ArrayList<>();
    long[] counts = new long[writers];
    CountDownLatch doneLatch = new CountDownLatch(writers);
    // Every cell rewrites the same STATE_KEYS keys, split among its writers, so the state stays bounded over the whole run.
    int keysPerWriter = Math.max(1, STATE_KEYS / writers);
    Exception[] failure = {null};
    for (int t = 0; t < writers; t++) {
      final int id = t;
      long[][] lat = {new long[1 << 14]};
      Thread th = new Thread(() -> {
        byte[] value = new byte[size];
        Arrays.fill(value, (byte) ('a' + id % 26));
        int n = 0;
        int i = 0;
        try {
          while (true) {
            long t0 = System.nanoTime();
            if (t0 >= end) break;
            w.write(("k" + (id + writers * (i++ % keysPerWriter))).getBytes(), value);
            long t1 = System.nanoTime();
            if (t0 >= warmEnd) {
              if (n == lat[0].length) lat[0] = Arrays.copyOf(lat[0], n * 2);
              lat[0][n++] = t1 - t0;
            }
          }
        } catch (Exception e) {
          failure[0] = e;
        } finally {
          counts[id] = n;
          synchronized (perThread) {
            perThread.add(Arrays.copyOf(lat[0], n));
          }
          doneLatch.countDown();
        }
      });
      th.setDaemon(true);
      th.start();
    }
    sleepUntil(warmEnd);
    List<Long> servingPids = List.copyOf(serving);
    long cpu0 = cpuTicks(servingPids);
    sleepUntil(end);
    long cpu1 = cpuTicks(servingPids);
    doneLatch.await();
    if (failure[0] != null) throw new IllegalStateException(subject + " failed", failure[0]);
    long total = 0;
    for (long c : counts) total += c;
    long[] all = new long[(int) total];
    int p = 0;
    for (long[] a : perThread) {
      System.arraycopy(a, 0, all, p, a.length);
      p += a.length;
    }
    Arrays.sort(all);
    Result r = new Result(subject, writers, size, total, SECONDS, all, serving.isEmpty() ? -1 : cpu1 - cpu0);
    System.out.printf(Locale.ROOT, "  %-6s writers=%-3d value=%-4d  %9.0f ops/s  p50 %8.1f us  p99 %8.1f us  p999 %8.1f us  sidecar CPU %6.1f us/op%n",
        subject, writers, size, r.throughput(), r.pct(0.5), r.pct(0.99), r.pct(0.999), r.cpuMicrosPerOp());
    return r;
  }

  static void report(List<Result> results, long[] memP, long[] memS, long[] startMs, double[] fsyncUs, double[] pairedUs, double[] rtt, SidecarProcess primary,
                     SidecarProcess standby, List<String> peerVersions) throws IOException {
    // Merge rounds: throughput summed over the rounds' seconds, latencies pooled.
    Map<String, List<Result>> cells = new LinkedHashMap<>();
    for (Result r : results) cells.computeIfAbsent(r.subject() + "/" + r.writers() + "/" + r.size(), k -> new ArrayList<>()).add(r);
    Map<String, Result> merged = new LinkedHashMap<>();
    cells.forEach((k, list) -> {
      long ops = 0;
      double secs = 0;
      int n = 0;
      long cpu = 0;
      for (Result r : list) {
        ops += r.ops();
        secs += r.seconds();
        n += r.sortedNanos().length;
        cpu = r.cpuTicks() < 0 || cpu < 0 ? -1 : cpu + r.cpuTicks();
      }
      long[] all = new long[n];
      int p = 0;
      for (Result r : list) {
        System.arraycopy(r.sortedNanos(), 0, all, p, r.sortedNanos().length);
        p += r.sortedNanos().length;
      }
      Arrays.sort(all);
      Result f = list.get(0);
      merged.put(k, new Result(f.subject(), f.writers(), f.size(), ops, secs, all, cpu));
    });
    System.out.println();
    System.out.println("Baseline for the goals: 'local', the same sidecar program, local API and log with no peer (the application's write"
        + " without replication). 'direct' (the log in the benchmark's own process, no local API hop) is shown for reference.");
    System.out.println("'sidecar CPU' is the CPU time of the sidecars serving the subject per write (sync and async: primary and standby"
        + " together). Here all of them share the machine's cores with the writers; in a cluster the standby runs on another node.");
    System.out.println("| subject | writers | value | ops/s | p50 us | p99 us | p999 us | throughput / local | p99 - local p99 us | throughput / direct"
        + " | sidecar CPU us/op | samples |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    StringBuilder json = new StringBuilder();
    json.append(String.format(Locale.ROOT, "{\"bench\":\"replication\",\"encryption\":\"" + ENCRYPTION + "\",\"fsync\":\"%s\",\"cores\":%d,\"seconds\":%.1f,\"rounds\":%d,"
        + "\"raw_fsync_p50_us\":%.0f,\"raw_fsync_paired_p50_us\":%.0f,\"loopback_rtt_p99_us\":%.1f,\"baseline\":\"local\",\"cells\":[", FSYNC,
        Runtime.getRuntime().availableProcessors(), SECONDS, ROUNDS, fsyncUs[0], pairedUs[0], rtt[1]));
    boolean first = true;
    for (Result r : merged.values()) {
      if (PeerComparison.isPeer(r.subject())) continue; // their own table below
      Result base = merged.get("local/" + r.writers() + "/" + r.size());
      Result direct = merged.get("direct/" + r.writers() + "/" + r.size());
      double ratio = r.throughput() / base.throughput();
      double dp99 = r.pct(0.99) - base.pct(0.99);
      double ratioDirect = r.throughput() / direct.throughput();
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f | %d |%n", r.subject(), r.writers(),
          r.size(), r.throughput(), r.pct(0.5), r.pct(0.99), r.pct(0.999), ratio, dp99, ratioDirect, r.cpuMicrosPerOp(), r.sortedNanos().length);
      json.append(first ? "" : ",").append(String.format(Locale.ROOT,
          "{\"subject\":\"%s\",\"writers\":%d,\"value_bytes\":%d,\"ops_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
              + "\"ratio_throughput\":%.3f,\"p99_minus_local_us\":%.1f,\"ratio_throughput_direct\":%.3f,\"sidecar_cpu_us_per_op\":%s,\"samples\":%d}",
          r.subject(), r.writers(), r.size(), r.throughput(), r.pct(0.5), r.pct(0.99), r.pct(0.999), ratio, dp99, ratioDirect,
          Double.isNaN(r.cpuMicrosPerOp()) ? "null" : String.format(Locale.ROOT, "%.1f", r.cpuMicrosPerOp()), r.sortedNanos().length));
      first = false;
    }
    String peerFields = PeerComparison.report(merged, peerVersions);
    System.out.println();
    System.out.printf(Locale.ROOT, "sidecar resident memory: primary VmRSS %d KiB (VmHWM %d KiB; anonymous %d KiB, file %d KiB), standby VmRSS %d KiB"
            + " (VmHWM %d KiB; anonymous %d KiB, file %d KiB); the file pages are the JVM's library and class archive, shared by the JVMs on a"
            + " machine; JVM flags %s%n",
        memP[0], memP[1], memP[2], memP[3], memS[0], memS[1], memS[2], memS[3], String.join(" ", primary.jvmFlags()));
    var ps = primary.status();
    var ss = standby.status();
    System.out.printf(Locale.ROOT, "state held after the run: primary %d keys, %.1f MiB; standby %d keys, %.1f MiB (keys and values plus %d B per key)%n",
        ps.number("keys"), ps.number("stateBytes") / 1048576.0, ss.number("keys"), ss.number("stateBytes") / 1048576.0,
        KvState.ENTRY_OVERHEAD_BYTES);
    System.out.printf(Locale.ROOT, "sidecar start (spawn to local API accepting): standby %d ms, primary %d ms, local %d ms%n", startMs[0], startMs[1],
        startMs[2]);
    String[] load = loadAverage();
    System.out.printf(Locale.ROOT, "load average at the end: %s %s %s (1, 5, 15 min; the machine has %d cores)%n", load[0], load[1], load[2],
        Runtime.getRuntime().availableProcessors());
    System.out.println("goals (issue): sync p99 <= local p99 + loopback RTT + 200 us; throughput / local >= 0.8 (sync), >= 0.97 (async); RSS <= 96 MiB;"
        + " start <= 1 s");
    json.append(String.format(Locale.ROOT, "],\"primary_rss_kib\":%d,\"primary_hwm_kib\":%d,\"primary_rss_anon_kib\":%d,\"standby_rss_kib\":%d,"
        + "\"standby_hwm_kib\":%d,\"standby_rss_anon_kib\":%d,\"standby_start_ms\":%d,\"primary_start_ms\":%d,\"local_start_ms\":%d",
        memP[0], memP[1], memP[2], memS[0], memS[1], memS[2], startMs[0], startMs[1], startMs[2])).append(peerFields).append('}');
    System.out.println(json);
  }

  static void machine() throws IOException {
    String cpu = "unknown";
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        cpu = l.substring(l.indexOf(':') + 1).trim();
        break;
      }
    }
    long memKb = 0;
    for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) if (l.startsWith("MemTotal:")) memKb = Long.parseLong(l.replaceAll("\\D", ""));
    String[] load = loadAverage();
    System.out.printf(Locale.ROOT, "machine: %d cores (%s), %d MiB memory, load average %s %s %s (1, 5, 15 min; above the cores, other work"
            + " shares them); JDK %s (%s); OS %s %s%n",
        Runtime.getRuntime().availableProcessors(), cpu, memKb / 1024, load[0], load[1], load[2], System.getProperty("java.version"),
        System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.version"));
    System.out.printf(Locale.ROOT, "settings: %.1f s per cell after %.1f s warm-up, %d rounds interleaved (direct, local, sync, async, then the peers': %s),"
        + " writers %s, values %s B%n", SECONDS, WARMUP, ROUNDS, Peers.NAMES, Arrays.toString(WRITERS), Arrays.toString(SIZES));
  }

  /** The load averages over 1, 5 and 15 minutes, as uptime prints them. */
  static String[] loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).split(" ");
  }

  /**
   * 256 B appended and fsynced 200 times; {@code paired}: to two files at once, as the primary and the
   * standby do for every synchronous write when they share this machine's disk (in a cluster each has its
   * own). Where the disk serialises them, a synchronous write waits for two flushes in a row, whatever the
   * sidecars do.
   */
  static double[] rawFsync(Path dir, boolean paired) throws Exception {
    Path fa = dir.resolve("fsync-probe-a");
    Path fb = dir.resolve("fsync-probe-b");
    long[] t = new long[200];
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try (FileChannel a = FileChannel.open(fa, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileChannel b = paired ? FileChannel.open(fb, StandardOpenOption.CREATE, StandardOpenOption.WRITE) : null) {
      for (int i = 0; i < t.length; i++) {
        long s = System.nanoTime();
        java.util.concurrent.Future<?> f = b == null ? null : other.submit(() -> {
          appendAndForce(b);
          return null;
        });
        appendAndForce(a);
        if (f != null) f.get();
        t[i] = System.nanoTime() - s;
      }
    } finally {
      other.shutdown();
      Files.deleteIfExists(fa);
      Files.deleteIfExists(fb);
    }
    return percentilesAndMean(t);
  }

  private static void appendAndForce(FileChannel ch) throws IOException {
    ch.write(ByteBuffer.allocate(256));
    ch.force(false);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  /** p50, p99 and mean of nanosecond samples, in microseconds. */
  static double[] percentilesAndMean(long[] t) {
    Arrays.sort(t);
    return new double[] {t[t.length / 2] / 1000.0, t[(int) (t.length * 0.99)] / 1000.0, Arrays.stream(t).average().orElse(0) / 1000.0};
  }

  static double[] loopbackRtt() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = ss.accept()) {
          s.setTcpNoDelay(true);
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream();
          int b;
          while ((b = in.read()) >= 0) out.write(b);
        } catch (IOException ignored) {
          // done
        }
      });
      echo.setDaemon(true);
      echo.start();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()));
        s.setTcpNoDelay(true);
        long[] t = new long[2000];
        for (int i = 0; i < t.length; i++) {
          long t0 = System.nanoTime();
          s.getOutputStream().write(1);
          s.getInputStream().read();
          t[i] = System.nanoTime() - t0;
        }
        long[] measured = Arrays.copyOfRange(t, 500, t.length);
        Arrays.sort(measured);
        return new double[] {measured[measured.length / 2] / 1000.0, measured[(int) (measured.length * 0.99)] / 1000.0};
      }
    }
  }

  static int[] ints(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }
}
