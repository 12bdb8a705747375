package dev.availability.ou.drill;

import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.DataDurability;
import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.e2e.client.Attempt;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.e2e.client.LoadClient;
import dev.availability.ou.e2e.client.LoadSettings;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.awaitility.core.ConditionTimeoutException;

/**
 * bench/failover: the client-visible outage per fault kind (container crash, pod deletion, node kill) of two
 * Synchronous OperationalUnits whose pods really run — one with the default {@code dataDurability: Required},
 * one with {@code Preferred} — side by side with the same app and sidecar as a plain one-replica Deployment with
 * the same probes (see {@link Baseline}); the subjects and the baseline alternate (A B C A B C).
 * Each sample: a client writes through the Service's address, the fault, the recovery, two more seconds of
 * writes, then the client reads everything back: its longest time without an acknowledgement is the outage,
 * and what it misses is lost. Usage: FailoverBenchmark SAMPLES NODE_SAMPLES
 */
public final class FailoverBenchmark {
  private static final Duration BASELINE_CAP = Duration.ofSeconds(60);
  private static final SubjectNodes REQUIRED_NODES = SubjectNodes.of(0, 3);
  private static final SubjectNodes PREFERRED_NODES = SubjectNodes.of(3, 3);
  private static final SubjectNodes BASELINE_NODES = SubjectNodes.of(6, 2);
  private static final LoadSettings LOAD = LoadSettings.defaults("127.0.0.1:1")
      .withWriters(2)
      .withRate(50)
      .withTimeout(Duration.ofSeconds(1));

  private final DrillCluster cluster;
  private final DrillOperator operator;
  private final List<Drill> units;
  private final Drill unit; // the baseline lives in its namespace
  private final Baseline baseline;
  private final List<String> results = new ArrayList<>();
  private final java.util.Map<Drill, UnitMemory.Figure> memory = new java.util.HashMap<>();

  private FailoverBenchmark(DrillCluster cluster, DrillOperator operator, List<Drill> units) {
    this.cluster = cluster;
    this.operator = operator;
    this.units = units;
    this.unit = units.get(0);
    this.baseline = new Baseline(
        cluster.client,
        unit.namespace,
        cluster
            .client
            .pods()
            .inNamespace(unit.namespace)
            .withName(unit.primary())
            .get(),
        BASELINE_NODES);
  }

  /** Exempt from the failover-loop guard: the benchmark faults each unit again and again on purpose. */
  static void measurable(dev.availability.ou.api.OperationalUnit u) {
    dev.availability.ou.e2e.Units.exemptFromLoopGuard(u);
  }

  private static void measurableOn(dev.availability.ou.api.OperationalUnit u, SubjectNodes nodes) {
    nodes.confine(u.getSpec().getTemplate().getSpec());
    measurable(u);
  }

  public static void main(String[] args) throws Exception {
    int samples = Integer.parseInt(args[0]);
    int nodeSamples = Integer.parseInt(args[1]);
    // Three nodes for each unit (the primary's, the standby's, the new standby's while the killed
    // one heals) and
    // two for the baseline (SubjectNodes: a node kill fails over one subject).
    DrillCluster cluster = DrillCluster.get("ou-bench", 8);
    System.out.println(MachineLine.of(cluster.client));
    Units.installCrd(cluster.client, cluster.repo);
    try (DrillOperator operator = new DrillOperator(cluster, "ou-bench-operator");
        Drill required = new Drill(cluster, "bench-required", ReplicationMode.Synchronous);
        Drill preferred = new Drill(cluster, "bench-preferred", ReplicationMode.Synchronous)
            .durability(DataDurability.Preferred)) {
      required.createProtected(u -> measurableOn(u, REQUIRED_NODES));
      preferred.createProtected(u -> measurableOn(u, PREFERRED_NODES));
      FailoverBenchmark bench =
          new FailoverBenchmark(cluster, operator, List.of(required, preferred));
      bench.awaitBaselineReady();
      System.out.printf(
          "subjects: Synchronous OperationalUnits (budget %s), dataDurability Required and Preferred; baseline: a one-replica Deployment "
              + "of the same containers, its sidecar alone, state in its node's directory; load: %d writers, %.0f writes/s through each Service;"
              + " each on nodes of its own (Required %s, Preferred %s, baseline %s): a node kill fails over one subject%n",
          Drill.BUDGET,
          LOAD.writers(),
          LOAD.rate(),
          REQUIRED_NODES.names(),
          PREFERRED_NODES.names(),
          BASELINE_NODES.names());
      System.out.println("warm-up: one container crash of each");
      for (Drill d : bench.units) bench.unitSample(d, FaultKind.CONTAINER_CRASH);
      bench.baselineSample(FaultKind.CONTAINER_CRASH);
      bench.freshContainers();
      bench.measure(FaultKind.CONTAINER_CRASH, samples);
      bench.measure(FaultKind.POD_DELETE, samples);
      if (nodeSamples > 0) bench.measure(FaultKind.NODE_KILL, nodeSamples);
      String rss = bench.memory.entrySet().stream()
          .map(e -> "\"" + e.getKey().durability().name().toLowerCase(Locale.ROOT) + "\":"
              + e.getValue().rssMiB())
          .collect(java.util.stream.Collectors.joining(","));
      System.out.println("{\"bench\":\"failover\",\"measured_by\":\"client\",\"unit_rss_mib\":{"
          + rss + "},\"results\":[" + String.join(",", bench.results) + "]}");
    }
    System.exit(0); // the cluster's shutdown hook deletes it
  }

  private void measure(FaultKind kind, int n) throws Exception {
    java.util.Map<Drill, List<FailoverSample>> ou = new java.util.LinkedHashMap<>();
    List<FailoverSample> base = new ArrayList<>();
    int overCap = 0;
    for (int i = 1; i <= n; i++) {
      StringBuilder line = new StringBuilder();
      for (Drill d : units) {
        FailoverSample u = unitSample(d, kind);
        ou.computeIfAbsent(d, x -> new ArrayList<>()).add(u);
        line.append(u.line(d.durability()));
      }
      FailoverSample b = baselineSample(kind);
      if (b.outageMillis() < 0) overCap++;
      else base.add(b);
      if (kind == FaultKind.CONTAINER_CRASH && i < n) freshContainers();
      System.out.printf(
          "  %s %d/%d: %sbaseline %s (lost %d)%n",
          kind.label,
          i,
          n,
          line,
          b.outageMillis() < 0 ? "> " + BASELINE_CAP.toMillis() + " ms" : b.outageMillis() + " ms",
          b.lost());
    }
    report(kind, n, ou, base, overCap);
  }

  /**
   * Makes the next crash sample crash containers that never crashed, on both sides: the unit's standby (the former
   * primary, whose application was restarted) and the baseline's pod are replaced by new pods. With two pods a unit's
   * crashes alternate between them, so every other sample would crash an application the kubelet restarted a
   * minute before: a crash loop (CrashLoopBackOff, a restart held back 10 s and more), which is another fault — the
   * former primary is then replaced rather than kept, and a Required unit waits for the new standby; the baseline
   * waits for the back-off. The drills cover that case (FailoverLoopDrillTest).
   */
  private void freshContainers() throws Exception {
    for (Drill d : units) {
      String standby = d.units.standby(Drill.UNIT);
      Pod old = cluster.client.pods().inNamespace(d.namespace).withName(standby).get();
      if (old == null) continue;
      String uid = old.getMetadata().getUid();
      cluster.client.pods().inNamespace(d.namespace).withName(standby).delete();
      await("a new standby for " + d.namespace)
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            String now = d.units.standby(Drill.UNIT);
            Pod p = now == null
                ? null
                : cluster.client.pods().inNamespace(d.namespace).withName(now).get();
            return p != null
                && !uid.equals(p.getMetadata().getUid())
                && d.units.phase(Drill.UNIT) == dev.availability.ou.api.UnitPhase.Protected;
          });
    }
    Pod pod = baseline.pod();
    if (pod == null) return;
    String name = pod.getMetadata().getName();
    cluster.client.pods().inNamespace(unit.namespace).withName(name).delete();
    await("a new baseline pod Ready")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Pod p = baseline.pod();
          return p != null && !name.equals(p.getMetadata().getName()) && baseline.ready();
        });
  }

  /** One fault to the unit's primary, under load; the client's outage and loss, and the unit's own record of when traffic moved. */
  private FailoverSample unitSample(Drill unit, FaultKind kind) throws Exception {
    unit.startLoad(LOAD.withAddress(cluster.serviceAddress(unit.namespace, Drill.UNIT)), null);
    Drill.pause(Duration.ofSeconds(2));
    if (!memory.containsKey(unit)) { // once per unit, under the client's load
      UnitMemory.Figure m = UnitMemory.of(cluster
          .client
          .pods()
          .inNamespace(unit.namespace)
          .withLabel(dev.availability.ou.contract.ContractKeys.UNIT_LABEL, Drill.UNIT)
          .list()
          .getItems());
      memory.put(unit, m);
      System.out.printf(
          "memory of the %s unit under load (both pods, every container's process, VmRSS): %d MiB in %d processes%n",
          unit.durability(), m.rssMiB(), m.processes());
    }
    unit.suffer(kind, operator, Duration.ZERO);
    Drill.pause(Duration.ofSeconds(2));
    ClientVerdict v = unit.finish();
    FailoverRecord r = unit.units.get(Drill.UNIT).getStatus().getLastFailover();
    erase(unit.lastLoad());
    return FailoverSample.of(v, r);
  }

  /** The same fault to the baseline's pod; outage -1 when it did not serve again within the cap. */
  private FailoverSample baselineSample(FaultKind kind) throws Exception {
    LoadClient load =
        LoadClient.start(LOAD.withAddress(cluster.serviceAddress(unit.namespace, Baseline.NAME)));
    try {
      await("the baseline's first acknowledged writes")
          .atMost(Duration.ofSeconds(30))
          .until(() -> load.attempts().stream().filter(Attempt::acked).count() >= 20);
      Drill.pause(Duration.ofSeconds(2));
      Pod pod = baseline.pod();
      String name = pod.getMetadata().getName();
      String node = pod.getSpec().getNodeName();
      int restarts = restarts(pod);
      switch (kind) {
        case CONTAINER_CRASH -> cluster.run("kill-container", unit.namespace, name, Drill.UNIT);
        case POD_DELETE ->
          cluster.client.pods().inNamespace(unit.namespace).withName(name).delete();
        case NODE_KILL -> cluster.run("kill-node", node);
        default ->
          throw new IllegalArgumentException(kind.label + " is not measured against the baseline");
      }
      boolean recovered =
          awaitBaselineServing(load, name, restarts, kind == FaultKind.CONTAINER_CRASH);
      if (kind == FaultKind.NODE_KILL) cluster.run("heal-node", node);
      if (!recovered) awaitBaselineReady();
      Drill.pause(Duration.ofSeconds(2));
      load.stop();
      ClientVerdict v = load.verdict(load.readBack(Duration.ofSeconds(60)));
      erase(load);
      return FailoverSample.baseline(recovered ? v.outageMillis() : -1, v.lost());
    } finally {
      load.close();
    }
  }

  /** Waits (up to the cap) until a new incarnation of the baseline (a new pod, or the same pod restarted) acknowledged a write. */
  private boolean awaitBaselineServing(
      LoadClient load, String oldPod, int oldRestarts, boolean samePod) {
    try {
      await("the baseline serving again")
          .atMost(BASELINE_CAP)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            Pod p = baseline.pod();
            if (p == null || !baseline.ready()) return false;
            boolean renewed = samePod
                ? p.getMetadata().getName().equals(oldPod) && restarts(p) > oldRestarts
                : !p.getMetadata().getName().equals(oldPod);
            return renewed
                && load.attempts().stream()
                    .anyMatch(a -> a.acked() && p.getMetadata().getName().equals(a.member()));
          });
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  private void awaitBaselineReady() {
    await("the baseline Ready")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(baseline::ready);
  }

  private static int restarts(Pod p) {
    return p.getStatus() == null || p.getStatus().getContainerStatuses() == null
        ? 0
        : p.getStatus().getContainerStatuses().stream()
            .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
            .sum();
  }

  private static void erase(LoadClient load) throws InterruptedException {
    StoreEraser.erase(
        load.settings().address(),
        load.attempts().stream().filter(Attempt::acked).map(Attempt::key).toList());
  }

  private void report(
      FaultKind kind,
      int n,
      java.util.Map<Drill, List<FailoverSample>> ou,
      List<FailoverSample> base,
      int overCap) {
    List<Long> baseOutage = base.stream().map(FailoverSample::outageMillis).toList();
    long baseP50 = Percentiles.of(baseOutage, 50);
    System.out.println();
    System.out.println("fault: " + kind.label
        + "; outage = the client's longest time without an acknowledged write");
    System.out.printf(
        "%-46s %8s %8s %8s %10s %14s%n",
        "subject", "p50 ms", "p99 ms*", "max ms", "lost", "moved p50 ms**");
    StringBuilder json = new StringBuilder();
    for (var e : ou.entrySet()) {
      List<Long> outage =
          e.getValue().stream().map(FailoverSample::outageMillis).toList();
      List<Long> switched = e.getValue().stream()
          .map(FailoverSample::trafficSwitchedMillis)
          .filter(t -> t >= 0)
          .toList();
      long lost = e.getValue().stream().mapToLong(FailoverSample::lost).sum();
      long p50 = Percentiles.of(outage, 50);
      String who = e.getKey().durability().name().toLowerCase(Locale.ROOT);
      System.out.printf(
          "%-46s %8d %8d %8d %10d %14d%n",
          "ou-operator, Synchronous, " + who,
          p50,
          Percentiles.of(outage, 99),
          Percentiles.of(outage, 100),
          lost,
          Percentiles.of(switched, 50));
      double ratio = baseP50 > 0 ? (double) p50 / baseP50 : Double.NaN;
      json.append(String.format(
          Locale.ROOT,
          "\"%s_p50_ms\":%d,\"%s_p99_ms\":%d,\"%s_lost\":%d,\"%s_ratio_p50\":%s,\"%s_status_moved_p50_ms\":%d,",
          who,
          p50,
          who,
          Percentiles.of(outage, 99),
          who,
          lost,
          who,
          Double.isNaN(ratio) ? "null" : String.format(Locale.ROOT, "%.3f", ratio),
          who,
          Percentiles.of(switched, 50)));
    }
    System.out.printf(
        "%-46s %8s %8s %8s %10d %14s%n",
        "Deployment, 1 replica (baseline)",
        text(baseP50),
        text(Percentiles.of(baseOutage, 99)),
        text(Percentiles.of(baseOutage, 100)),
        base.stream().mapToLong(FailoverSample::lost).sum(),
        "-");
    System.out.printf(
        "* %d samples each: p99 is their max; baseline samples past the %d s cap (not in its figures): %d%s%n",
        n,
        BASELINE_CAP.toSeconds(),
        overCap,
        kind == FaultKind.CONTAINER_CRASH
            ? "; each sample crashes containers that never crashed (between samples the unit's standby and the"
                + " baseline's pod are replaced by new pods: a second crash within the kubelet's back-off window is a crash loop)"
            : "");
    System.out.println(
        "** from the unit's own status: when the Service selected the promoted standby; the client's outage also waits, in Required "
            + "durability, for a new standby");
    results.add(String.format(
        Locale.ROOT,
        "{\"fault\":\"%s\",\"n\":%d,%s\"baseline_p50_ms\":%s,\"baseline_p99_ms\":%s,\"baseline_lost\":%d,"
            + "\"baseline_over_cap\":%d}",
        kind.label,
        n,
        json,
        json(baseP50),
        json(Percentiles.of(baseOutage, 99)),
        base.stream().mapToLong(FailoverSample::lost).sum(),
        overCap));
  }

  private static String text(long v) {
    return v < 0 ? "-" : String.valueOf(v);
  }

  private static String json(long v) {
    return v < 0 ? "null" : String.valueOf(v);
  }
}
