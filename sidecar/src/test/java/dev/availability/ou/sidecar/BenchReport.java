package dev.availability.ou.sidecar;

import static dev.availability.ou.sidecar.BenchSettings.ENCRYPTION;
import static dev.availability.ou.sidecar.BenchSettings.FSYNC;
import static dev.availability.ou.sidecar.BenchSettings.ROUNDS;
import static dev.availability.ou.sidecar.BenchSettings.SECONDS;

import dev.availability.ou.replication.KvState;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the benchmark's results: the sidecar's table against its baselines, the peers' tables (see
 * {@link PeerComparison}), the sidecars' memory, state and start time, and as the last line the JSON object.
 */
final class BenchReport {
  private BenchReport() {}

  static void report(
      List<CellResult> results,
      long[] memP,
      long[] memS,
      long[] startMs,
      double[] fsyncUs,
      double[] pairedUs,
      double[] rtt,
      SidecarProcess primary,
      SidecarProcess standby,
      List<String> peerVersions)
      throws IOException {
    Map<String, CellResult> merged = CellResult.mergeRounds(results);
    System.out.println();
    System.out.println(
        "Baseline for the goals: 'local', the same sidecar program, local API and log with no peer (the application's write"
            + " without replication). 'direct' (the log in the benchmark's own process, no local API hop) is shown for reference.");
    System.out.println(
        "'sidecar CPU' is the CPU time of the sidecars serving the subject per write (sync and async: primary and standby"
            + " together). Here all of them share the machine's cores with the writers; in a cluster the standby runs on another node.");
    System.out.println(
        "| subject | writers | value | ops/s | p50 us | p99 us | p999 us | throughput / local | p99 - local p99 us | throughput / direct"
            + " | sidecar CPU us/op | samples |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    StringBuilder json = new StringBuilder();
    json.append(String.format(
        Locale.ROOT,
        "{\"bench\":\"replication\",\"encryption\":\"" + ENCRYPTION
            + "\",\"fsync\":\"%s\",\"cores\":%d,\"seconds\":%.1f,\"rounds\":%d,"
            + "\"raw_fsync_p50_us\":%.0f,\"raw_fsync_paired_p50_us\":%.0f,\"loopback_rtt_p99_us\":%.1f,\"baseline\":\"local\",\"cells\":[",
        FSYNC,
        Runtime.getRuntime().availableProcessors(),
        SECONDS,
        ROUNDS,
        fsyncUs[0],
        pairedUs[0],
        rtt[1]));
    boolean first = true;
    for (CellResult r : merged.values()) {
      if (PeerComparison.isPeer(r.subject())) continue; // their own table below
      CellResult base = merged.get("local/" + r.writers() + "/" + r.size());
      CellResult direct = merged.get("direct/" + r.writers() + "/" + r.size());
      double ratio = r.throughput() / base.throughput();
      double dp99 = r.pct(0.99) - base.pct(0.99);
      double ratioDirect = r.throughput() / direct.throughput();
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f | %d |%n",
          r.subject(),
          r.writers(),
          r.size(),
          r.throughput(),
          r.pct(0.5),
          r.pct(0.99),
          r.pct(0.999),
          ratio,
          dp99,
          ratioDirect,
          r.cpuMicrosPerOp(),
          r.sortedNanos().length);
      json.append(first ? "" : ",")
          .append(String.format(
              Locale.ROOT,
              "{\"subject\":\"%s\",\"writers\":%d,\"value_bytes\":%d,\"ops_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
                  + "\"ratio_throughput\":%.3f,\"p99_minus_local_us\":%.1f,\"ratio_throughput_direct\":%.3f,\"sidecar_cpu_us_per_op\":%s,\"samples\":%d}",
              r.subject(),
              r.writers(),
              r.size(),
              r.throughput(),
              r.pct(0.5),
              r.pct(0.99),
              r.pct(0.999),
              ratio,
              dp99,
              ratioDirect,
              Double.isNaN(r.cpuMicrosPerOp())
                  ? "null"
                  : String.format(Locale.ROOT, "%.1f", r.cpuMicrosPerOp()),
              r.sortedNanos().length));
      first = false;
    }
    String ceilingFields =
        CeilingComparison.report(merged, CeilingComparison.ceiling(fsyncUs, pairedUs));
    String peerFields = PeerComparison.report(merged, peerVersions);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "sidecar resident memory: primary VmRSS %d KiB (VmHWM %d KiB; anonymous %d KiB, file %d KiB), standby VmRSS %d KiB"
            + " (VmHWM %d KiB; anonymous %d KiB, file %d KiB); the file pages are the JVM's library and class archive, shared by the JVMs on a"
            + " machine; JVM flags %s%n",
        memP[0],
        memP[1],
        memP[2],
        memP[3],
        memS[0],
        memS[1],
        memS[2],
        memS[3],
        String.join(" ", primary.jvmFlags()));
    var ps = primary.status();
    var ss = standby.status();
    System.out.printf(
        Locale.ROOT,
        "state held after the run: primary %d keys, %.1f MiB; standby %d keys, %.1f MiB (keys and values plus %d B per key)%n",
        ps.number("keys"),
        ps.number("stateBytes") / 1048576.0,
        ss.number("keys"),
        ss.number("stateBytes") / 1048576.0,
        KvState.ENTRY_OVERHEAD_BYTES);
    System.out.printf(
        Locale.ROOT,
        "sidecar start (spawn to local API accepting): standby %d ms, primary %d ms, local %d ms%n",
        startMs[0],
        startMs[1],
        startMs[2]);
    String[] load = MachineProbes.loadAverage();
    System.out.printf(
        Locale.ROOT,
        "load average at the end: %s %s %s (1, 5, 15 min; the machine has %d cores)%n",
        load[0],
        load[1],
        load[2],
        Runtime.getRuntime().availableProcessors());
    System.out.println(
        "goals (issue): sync p99 <= local p99 + loopback RTT + 200 us; throughput / local >= 0.8 (sync), >= 0.97 (async); RSS <= 96 MiB;"
            + " start <= 1 s");
    json.append(String.format(
            Locale.ROOT,
            "],\"primary_rss_kib\":%d,\"primary_hwm_kib\":%d,\"primary_rss_anon_kib\":%d,\"standby_rss_kib\":%d,"
                + "\"standby_hwm_kib\":%d,\"standby_rss_anon_kib\":%d,\"standby_start_ms\":%d,\"primary_start_ms\":%d,\"local_start_ms\":%d",
            memP[0],
            memP[1],
            memP[2],
            memS[0],
            memS[1],
            memS[2],
            startMs[0],
            startMs[1],
            startMs[2]))
        .append(ceilingFields)
        .append(peerFields)
        .append('}');
    System.out.println(json);
  }
}
