package dev.availability.ou.e2e.scale;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What {@code bench/scale} measured, printed as the machine, a table and one JSON line last. */
final class ScaleReport {
  private final ScaleBenchmark bench;
  private final KubernetesClient admin;
  private String machine = "";
  private int nodes;
  double allProtectedSeconds = -1;
  double applyQueueP50 = -1;
  double applyQueueP99 = -1;
  /** The control plane's writes a second before any unit ({@link WriteCeiling}); -1 when not measured. */
  double writeCeiling = -1;
  /** Writes of every client while the units were created, per unit (apply until all Protected or the timeout). */
  double writesPerUnitCreated = -1;

  Steady steady;
  List<FaultRun.Sample> single = List.of();
  List<FaultRun.Sample> loaded = List.of();
  int spuriousWholeRun;
  Map<String, Long> spuriousReasons = Map.of();
  Map<String, Long> members = Map.of();
  String failure;

  ScaleReport(ScaleBenchmark bench, KubernetesClient admin) {
    this.bench = bench;
    this.admin = admin;
  }

  void startMachine(Probes probes) {
    nodes = admin.nodes().list().getItems().size();
    machine = String.format(
        "machine: %d cores, %d MiB, JDK %s, Kubernetes %s (local control plane, %d KWOK nodes), %s %s",
        Runtime.getRuntime().availableProcessors(),
        memTotalMiB(),
        Runtime.version(),
        admin.getKubernetesVersion().getGitVersion(),
        nodes,
        System.getProperty("os.name"),
        System.getProperty("os.version"));
  }

  /** The least time creating the units can take on this control plane, from the two figures above; -1 without them. */
  double createFloorSeconds() {
    return writeCeiling > 0 && writesPerUnitCreated > 0
        ? bench.units * writesPerUnitCreated / writeCeiling
        : -1;
  }

  /** Every client's writes between the two API server scrapes, per unit applied. */
  void applyWrites(PromText before, PromText after, double seconds) {
    writesPerUnitCreated =
        ApiTraffic.between(before, after, seconds).allWrites() * seconds / bench.units;
  }

  void applyQueueWait(PromText before, PromText after) {
    applyQueueP50 = HistogramWindow.percentileMillis(before, after, Steady.QUEUE_WAIT, 50);
    applyQueueP99 = HistogramWindow.percentileMillis(before, after, Steady.QUEUE_WAIT, 99);
  }

  /** Failovers of units never faulted, over the whole run (apply, steady, faults). */
  void finalFailovers(Map<String, Integer> byUnit, List<String> faulted) {
    Set<String> skip = Set.copyOf(faulted);
    spuriousWholeRun = byUnit.entrySet().stream()
        .filter(e -> !skip.contains(e.getKey()) && !e.getKey().equals("solo"))
        .mapToInt(Map.Entry::getValue)
        .sum();
    Map<String, Long> r = new HashMap<>();
    byUnit.forEach((u, n) -> {
      if (n > 0 && !skip.contains(u)) r.merge("units", 1L, Long::sum);
    });
    spuriousReasons = r;
  }

  void print() {
    int u = bench.units;
    long lease = Steady.leaseMillis(bench.budget);
    System.out.println(machine);
    System.out.printf(
        "scale: %d units (Synchronous, responseTimeBudget %s: primary lease %d ms, renewed every %d ms), steady %d s, %d faults%n%n",
        u, bench.budget, lease, lease / 3, bench.steadySeconds, bench.faults);
    row(
        "all Protected after applying " + u + " at once",
        allProtectedSeconds < 0
            ? "not all (see the log)"
            : String.format(Locale.ROOT, "%.1f s", allProtectedSeconds));
    row(
        "reconcile queue wait while applying, p50 / p99",
        ms(applyQueueP50) + " / " + ms(applyQueueP99));
    if (writeCeiling > 0)
      row(
          "control plane's write ceiling (" + WriteCeiling.WRITERS
              + " writers patching ConfigMaps, before any unit)",
          String.format(Locale.ROOT, "%.0f writes/s", writeCeiling));
    if (writesPerUnitCreated > 0)
      row(
          "writes while creating, per unit (every client: operator, members, scheduler, KWOK)",
          String.format(Locale.ROOT, "%.1f", writesPerUnitCreated));
    if (createFloorSeconds() > 0)
      row(
          "so creating " + u + " units takes at least (units × writes ÷ ceiling)",
          String.format(Locale.ROOT, "%.0f s on this control plane", createFloorSeconds()));
    Steady s = steady;
    if (s != null) {
      row("operator heap after a full GC", String.format(Locale.ROOT, "%.0f MiB", s.heapMiB()));
      row(
          "operator resident memory (VmRSS; peak VmHWM)",
          String.format(Locale.ROOT, "%.0f MiB; %.0f MiB", s.rssMiB(), s.hwmMiB()));
      row(
          "CPU in steady state: operator / kube-apiserver / etcd / members",
          String.format(
              Locale.ROOT,
              "%.2f / %.2f / %.2f / %.2f cores",
              s.operatorCpu(),
              s.apiserverCpu(),
              s.etcdCpu(),
              s.membersCpu()));
      row(
          "reconcile queue wait in steady state, p50 / p99 (reconciles)",
          ms(s.queueP50()) + " / " + ms(s.queueP99()) + String.format(" (%.0f)", s.queueCount()));
      row(
          "failovers of unfaulted units: steady window / whole run",
          s.spurious() + " / " + spuriousWholeRun
              + (s.spuriousReasons().isEmpty() ? "" : " " + s.spuriousReasons()));
      row(
          "members' lease renewal p50 / p99; longest gap; gaps > lease",
          s.renewalP50() + " / " + s.renewalP99() + " ms; " + s.renewalGapMax() + " ms; "
              + s.renewalGapsOverLease());
      traffic(s, u);
      if (!s.heapTop().isEmpty()) {
        System.out.println(
            "what fills the operator's heap (jcmd GC.class_histogram, live objects after the full GC: rank, instances, bytes, class):");
        s.heapTop().forEach(l -> System.out.println("  " + l.strip()));
      }
    }
    System.out.println();
    System.out.printf(
        "%-40s %4s %7s %8s %8s %22s %14s%n",
        "failover, fault → endpoints",
        "n",
        "p50 ms",
        "p99 ms*",
        "max ms",
        "status traffic p50 ms**",
        "detection p50");
    failoverRow("one unit alone (measured first)", single);
    failoverRow("under load (" + u + " units)", loaded);
    System.out.println("*  p99 of fewer than 100 samples is their max");
    System.out.println(
        "** the unit's own status: fault observed (the lease's expiry) → endpoints switched, so it leaves out the lease's run-out");
    if (failure != null) System.out.println("the run stopped early: " + failure);
    System.out.println(json());
  }

  private void traffic(Steady s, int u) {
    ApiTraffic t = s.traffic();
    System.out.println();
    if (t.clientsCounted()) {
      System.out.println(
          "API requests per second in steady state, by client and verb (the benchmark's flow schemas):");
      System.out.printf("  %-10s %-8s %10s %14s%n", "client", "verb", "req/s", "per unit");
      for (var c : t.byClientVerb().entrySet()) {
        for (var v : c.getValue().entrySet())
          System.out.printf(
              Locale.ROOT,
              "  %-10s %-8s %10.2f %14.3f%n",
              c.getKey(),
              v.getKey(),
              v.getValue(),
              v.getValue() / u);
      }
    } else {
      System.out.println(
          "API requests by client: the API server counted nothing under the benchmark's flow schemas; see the members' own count below");
    }
    System.out.printf(
        Locale.ROOT,
        "  writes per steady unit per second: operator %.3f + members %.3f = %.3f (every client, KWOK's nodes too: %.3f)%n",
        t.clientWrites(ClientIdentities.OPERATOR) / u,
        t.clientWrites(ClientIdentities.MEMBERS) / u,
        writesPerUnit(),
        t.allWrites() / u);
    System.out.println(
        "every client, by verb and resource (apiserver_request_total), the 15 busiest, req/s:");
    t.allByVerbResource().entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(15)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-48s %10.2f%n", e.getKey(), e.getValue()));
    System.out.println("the members' calls as they counted them, per unit per second:");
    s.memberCalls()
        .forEach(
            (k, v) -> System.out.printf(Locale.ROOT, "  %-48s %10.3f%n", k, v / s.seconds() / u));
  }

  double writesPerUnit() {
    if (steady == null) return -1;
    ApiTraffic t = steady.traffic();
    return (t.clientWrites(ClientIdentities.OPERATOR) + t.clientWrites(ClientIdentities.MEMBERS))
        / bench.units;
  }

  private void failoverRow(String what, List<FaultRun.Sample> samples) {
    List<Long> ms = switched(samples);
    List<Long> status = new ArrayList<>();
    List<Long> detection = new ArrayList<>();
    for (FaultRun.Sample x : samples) {
      if (x.statusTrafficSwitchedMillis() != null) status.add(x.statusTrafficSwitchedMillis());
      if (x.statusDetectionMillis() != null) detection.add(x.statusDetectionMillis());
    }
    long missed = samples.stream().filter(x -> x.switchMillis() < 0).count();
    System.out.printf(
        "%-40s %4d %7s %8s %8s %22s %14s%s%n",
        what,
        ms.size(),
        text(p(ms, 50)),
        text(p(ms, 99)),
        text(p(ms, 100)),
        text(p(status, 50)),
        text(p(detection, 50)),
        missed > 0
            ? "  (" + missed + " did not switch within " + FaultRun.SWITCH_CAP_MS / 1000 + " s)"
            : "");
  }

  private static List<Long> switched(List<FaultRun.Sample> samples) {
    return samples.stream()
        .map(FaultRun.Sample::switchMillis)
        .filter(x -> x >= 0)
        .toList();
  }

  /** Nearest-rank percentile; -1 with no samples. */
  static long p(Collection<Long> values, double p) {
    if (values.isEmpty()) return -1;
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private String json() {
    Steady s = steady;
    List<Long> load = switched(loaded);
    List<Long> one = switched(single);
    long p99 = p(load, 99);
    long p99One = p(one, 99);
    StringBuilder j = new StringBuilder("{\"bench\":\"scale\"");
    field(j, "units", bench.units);
    field(j, "nodes", nodes);
    j.append(",\"budget\":\"").append(bench.budget).append('"');
    field(j, "steady_s", bench.steadySeconds);
    field(j, "all_protected_s", allProtectedSeconds < 0 ? null : round(allProtectedSeconds, 1));
    field(j, "write_ceiling_per_s", writeCeiling < 0 ? null : round(writeCeiling, 0));
    field(
        j,
        "writes_per_unit_created",
        writesPerUnitCreated < 0 ? null : round(writesPerUnitCreated, 1));
    field(j, "create_floor_s", createFloorSeconds() < 0 ? null : round(createFloorSeconds(), 0));
    field(j, "operator_heap_mib", s == null || s.heapMiB() < 0 ? null : round(s.heapMiB(), 1));
    field(j, "operator_rss_mib", s == null ? null : round(s.rssMiB(), 1));
    field(j, "operator_hwm_mib", s == null ? null : round(s.hwmMiB(), 1));
    field(j, "operator_cpu_cores", s == null ? null : round(s.operatorCpu(), 3));
    field(j, "apiserver_cpu_cores", s == null ? null : round(s.apiserverCpu(), 3));
    field(
        j,
        "api_writes_per_unit_s",
        s == null || !s.traffic().clientsCounted() ? null : round(writesPerUnit(), 3));
    field(
        j,
        "api_writes_operator_per_unit_s",
        s == null
            ? null
            : round(s.traffic().clientWrites(ClientIdentities.OPERATOR) / bench.units, 3));
    field(
        j,
        "api_writes_members_per_unit_s",
        s == null
            ? null
            : round(s.traffic().clientWrites(ClientIdentities.MEMBERS) / bench.units, 3));
    field(
        j,
        "api_requests_per_unit_s",
        s == null
            ? null
            : round(
                (s.traffic().clientTotal(ClientIdentities.OPERATOR)
                        + s.traffic().clientTotal(ClientIdentities.MEMBERS))
                    / bench.units,
                3));
    field(
        j,
        "api_writes_all_clients_per_unit_s",
        s == null ? null : round(s.traffic().allWrites() / bench.units, 3));
    field(j, "queue_wait_p50_ms", s == null ? null : num(s.queueP50()));
    field(j, "queue_wait_p99_ms", s == null ? null : num(s.queueP99()));
    field(j, "queue_wait_apply_p99_ms", num(applyQueueP99));
    field(j, "spurious_failovers", spuriousWholeRun);
    field(j, "spurious_failovers_steady", s == null ? null : s.spurious());
    field(j, "renewal_gap_max_ms", s == null ? null : s.renewalGapMax());
    field(j, "faults", loaded.size());
    field(j, "failover_p50_ms", p(load, 50) < 0 ? null : p(load, 50));
    field(j, "failover_p99_ms", p99 < 0 ? null : p99);
    field(j, "failover_p50_ms_single_unit", p(one, 50) < 0 ? null : p(one, 50));
    field(j, "failover_p99_ms_single_unit", p99One < 0 ? null : p99One);
    field(j, "failover_p99_ratio", p99 < 0 || p99One <= 0 ? null : round((double) p99 / p99One, 2));
    if (failure != null)
      j.append(",\"error\":\"")
          .append(failure.replace("\\", "/").replace("\"", "'"))
          .append('"');
    return j.append('}').toString();
  }

  private static Object num(double v) {
    return v < 0 || Double.isInfinite(v) || Double.isNaN(v) ? null : round(v, 1);
  }

  private static Double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static void field(StringBuilder j, String name, Object value) {
    j.append(",\"").append(name).append("\":").append(value == null ? "null" : value.toString());
  }

  private static void row(String what, String value) {
    System.out.printf("%-66s %s%n", what, value);
  }

  private static String ms(double v) {
    return v < 0
        ? "-"
        : Double.isInfinite(v) ? "> 60000 ms" : String.format(Locale.ROOT, "%.0f ms", v);
  }

  private static String text(long v) {
    return v < 0 ? "-" : String.valueOf(v);
  }

  private static long memTotalMiB() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    } catch (java.io.IOException e) {
      // not Linux: unknown
    }
    return -1;
  }
}
