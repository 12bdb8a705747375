package dev.availability.ou.sidecar;

import static dev.availability.ou.sidecar.BenchSettings.SECONDS;
import static dev.availability.ou.sidecar.BenchSettings.STATE_KEYS;
import static dev.availability.ou.sidecar.BenchSettings.WARMUP;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one cell of the benchmark: its writers for the warm-up and the measured window, their latencies,
 * and the CPU of the processes serving the subject; prints the cell's progress line.
 */
final class CellRunner {
  interface Writer {
    void write(byte[] key, byte[] value) throws Exception;
  }

  private CellRunner() {}

  /**
   * User and system CPU time of the processes and of their direct children (PostgreSQL's backends and
   * walsender/walreceiver are children of its postmaster), in clock ticks; -1 without processes.
   */
  static long cpuTicks(List<Long> pids) throws IOException {
    if (pids.isEmpty()) return -1;
    long sum = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs
          .filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
          .toList()) {
        String[] f;
        try {
          String stat = Files.readString(proc.resolve("stat"));
          f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException gone) {
          continue; // ended meanwhile
        }
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pids.contains(pid) || pids.contains(Long.parseLong(f[1]))) { // f[1]: the parent's pid
          sum += Long.parseLong(f[11])
              + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of stat)
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

  static CellResult measure(
      String subject, int writers, int size, Writer w, List<SidecarProcess> serving)
      throws Exception {
    return measureServedBy(subject, writers, size, w, pids(serving));
  }

  /** {@code serving}: the pids whose CPU (with their children's) counts for the subject. */
  static CellResult measureServedBy(
      String subject, int writers, int size, Writer w, Collection<Long> serving) throws Exception {
    long warmEnd = System.nanoTime() + (long) (WARMUP * 1e9);
    long end = warmEnd + (long) (SECONDS * 1e9);
    List<long[]> perThread = new ArrayList<>();
    long[] counts = new long[writers];
    CountDownLatch doneLatch = new CountDownLatch(writers);
    // Every cell rewrites the same STATE_KEYS keys, split among its writers, so the state stays
    // bounded over the whole run.
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
    CellResult r = new CellResult(
        subject, writers, size, total, SECONDS, all, serving.isEmpty() ? -1 : cpu1 - cpu0);
    // The peers' cells are served by their database servers, not by sidecars: the line says whose
    // CPU it is.
    String served = PeerComparison.isPeer(subject) ? "server" : "sidecar";
    System.out.printf(
        Locale.ROOT,
        "  %-6s writers=%-3d value=%-4d  %9.0f ops/s  p50 %8.1f us  p99 %8.1f us  p999 %8.1f us  %7s CPU %6.1f us/op%n",
        subject,
        writers,
        size,
        r.throughput(),
        r.pct(0.5),
        r.pct(0.99),
        r.pct(0.999),
        served,
        r.cpuMicrosPerOp());
    return r;
  }
}
