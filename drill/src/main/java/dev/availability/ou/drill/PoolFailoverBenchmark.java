package dev.availability.ou.drill;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.e2e.client.LoadSettings;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/failover --pool: the client-visible outage of a pooled unit taken over by its pool's shared standby (the node of
 * its primary killed) beside a dedicated unit's node-kill outage, in one run on one cluster, alternating (pooled,
 * dedicated, pooled, ...). The pool is PoolDrill's (three Synchronous units, one shared pod); the dedicated unit is
 * Drill's sample, Synchronous, with the same load per unit. Each pooled sample kills the primary's node of the next
 * unit in turn (each unit fails over once in three samples) and also records what the pool's other units saw meanwhile
 * (they re-dial the new shared pod and, Required, hold writes while it catches up). From the fourth kill on (the
 * warm-up included), a victim's primary is a pool pod that took it over earlier. No baseline Deployment: the dedicated
 * unit is the comparison (bench/failover without --pool measures a unit against a Deployment). Usage:
 * PoolFailoverBenchmark SAMPLES
 */
public final class PoolFailoverBenchmark {
  // 3 pooled primaries, the shared pod, the dedicated unit's 2 pods: each on a node of its own,
  // which
  // the dedicated unit's pods keep apart from every pool pod. A unit taken over stays on the pool
  // pod
  // that took it (the hand-over is not built), so after a few samples 4 pool pods hold 3 units;
  // with
  // 7 nodes the dedicated unit's new standby then found none (seen), hence 2 spare.
  private static final int NODES = 8;
  private static final LoadSettings LOAD = LoadSettings.defaults("127.0.0.1:1")
      .withWriters(2)
      .withRate(40)
      .withTimeout(Duration.ofMillis(1000));

  private record Sample(long outageMillis, long lost, long failed) {}

  private final DrillCluster cluster;
  private final DrillOperator operator;
  private final PoolDrill pool;
  private final Drill dedicated;
  private final List<Sample> pooled = new ArrayList<>();
  private final List<Sample> others = new ArrayList<>(); // the pool's other units, per takeover
  private final List<Sample> single = new ArrayList<>();

  private PoolFailoverBenchmark(
      DrillCluster cluster, DrillOperator operator, PoolDrill pool, Drill dedicated) {
    this.cluster = cluster;
    this.operator = operator;
    this.pool = pool;
    this.dedicated = dedicated;
  }

  public static void main(String[] args) throws Exception {
    int samples = Integer.parseInt(args[0]);
    DrillCluster cluster = DrillCluster.get(
        System.getenv().getOrDefault("OU_DRILL_CLUSTER_NAME", "ou-bench-pool"), NODES);
    System.out.println(MachineLine.of(cluster.client));
    Units.installCrd(cluster.client, cluster.repo);
    try (DrillOperator operator = new DrillOperator(cluster, "ou-bench-pool-operator");
        PoolDrill pool = new PoolDrill(cluster, "bench-pool");
        Drill dedicated = new Drill(cluster, "bench-dedicated", ReplicationMode.Synchronous)
            .patience(Duration.ofSeconds(180))) {
      pool.createProtected(FailoverBenchmark::measurable);
      dedicated.createProtected(u -> {
        FailoverBenchmark.measurable(u);
        avoidPools(u);
      });
      System.out.printf(
          "subjects: %d Synchronous units sharing one standby pod (StandbyPool) and one Synchronous unit with a dedicated"
              + " standby, dataDurability Required, budget %s; load: %d writers, %.0f writes/s through each unit's Service;"
              + " fault: kill-node of the primary's node%n",
          PoolDrill.UNITS.size(), Drill.BUDGET, LOAD.writers(), LOAD.rate());
      PoolFailoverBenchmark bench = new PoolFailoverBenchmark(cluster, operator, pool, dedicated);
      System.out.println("warm-up: one node kill of each (not counted)");
      bench.pooledSample(PoolDrill.UNITS.get(0));
      bench.dedicatedSample();
      bench.pooled.clear();
      bench.others.clear();
      bench.single.clear();
      for (int i = 1; i <= samples; i++) {
        String victim = PoolDrill.UNITS.get(i % PoolDrill.UNITS.size());
        Sample p = bench.pooledSample(victim);
        Sample d = bench.dedicatedSample();
        System.out.printf(
            "  kill-node %d/%d: pooled %s %d ms (lost %d, failed %d); dedicated %d ms (lost %d, failed %d)%n",
            i,
            samples,
            victim,
            p.outageMillis(),
            p.lost(),
            p.failed(),
            d.outageMillis(),
            d.lost(),
            d.failed());
      }
      bench.report(samples);
    }
    System.exit(0); // the cluster's shutdown hook deletes it
  }

  /**
   * Keeps the dedicated unit's pods off the nodes of the pool's pods and of the pooled units' pods, so that no node kill
   * faults both subjects at once. Across namespaces: a term without a namespace selector sees its own namespace only (a
   * first version did, and its kills of the dedicated primary's node took the pool pod beside it too).
   */
  private static void avoidPools(OperationalUnit u) {
    u.getSpec()
        .getTemplate()
        .getSpec()
        .setAffinity(new AffinityBuilder()
            .withNewPodAntiAffinity()
            .withRequiredDuringSchedulingIgnoredDuringExecution(
                apartFromEvery(ContractKeys.POOL_LABEL), apartFromEvery(ContractKeys.UNIT_LABEL))
            .endPodAntiAffinity()
            .build());
  }

  /** Not on a node with a pod, of any namespace, that has the label {@code key}. */
  private static io.fabric8.kubernetes.api.model.PodAffinityTerm apartFromEvery(String key) {
    return new PodAffinityTermBuilder()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewNamespaceSelector() // empty: every namespace
        .endNamespaceSelector()
        .withNewLabelSelector()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator("Exists")
        .endMatchExpression()
        .endLabelSelector()
        .build();
  }

  /** Kills the node of {@code victim}'s primary under load on every pooled unit; the victim's figures. */
  private Sample pooledSample(String victim) throws Exception {
    pool.startLoads();
    Drill.pause(Duration.ofSeconds(2));
    String shared = pool.sharedPod();
    String formerPrimary = pool.units.primary(victim);
    String deadNode = pool.units.nodeOf(formerPrimary);
    cluster.run("kill-node", deadNode);
    try {
      pool.awaitTakenOver(victim, shared, formerPrimary);
    } finally {
      cluster.run("heal-node", deadNode);
    }
    Drill.pause(Duration.ofSeconds(2)); // writes after recovery, so each outage has an end
    Map<String, ClientVerdict> verdicts = pool.finish();
    verdicts.forEach((u, v) -> {
      if (!u.equals(victim)) others.add(sample(v));
    });
    Sample s = sample(verdicts.get(victim));
    pooled.add(s);
    return s;
  }

  private Sample dedicatedSample() throws Exception {
    dedicated.startLoad(
        LOAD.withAddress(cluster.serviceAddress(dedicated.namespace, Drill.UNIT)), null);
    Drill.pause(Duration.ofSeconds(2));
    dedicated.suffer(FaultKind.NODE_KILL, operator, Duration.ZERO);
    Drill.pause(Duration.ofSeconds(2));
    Sample s = sample(dedicated.finish());
    single.add(s);
    return s;
  }

  private static Sample sample(ClientVerdict v) {
    return new Sample(v.outageMillis(), v.lost(), v.failed());
  }

  private void report(int n) {
    System.out.println();
    System.out.println(
        "fault: kill-node of the primary's node; outage = the client's longest time without an"
            + " acknowledged write");
    System.out.printf(
        "%-58s %8s %8s %8s %6s %12s%n",
        "subject", "p50 ms", "p99 ms*", "max ms", "lost", "failed p50");
    row("pooled unit, taken over by the shared standby", pooled);
    row("dedicated unit, its own standby promoted", single);
    row("the pool's other units during each takeover (no failover)", others);
    System.out.printf(
        "* %d samples per subject (%d for the other units): p99 is their max%n", n, others.size());
    long pooledP50 = p(pooled, 50);
    long dedicatedP50 = p(single, 50);
    System.out.println(String.format(
        Locale.ROOT,
        "{\"bench\":\"failover-pool\",\"measured_by\":\"client\",\"fault\":\"kill-node\",\"n\":%d,"
            + "\"pooled_p50_ms\":%d,\"pooled_p99_ms\":%d,\"pooled_lost\":%d,"
            + "\"dedicated_p50_ms\":%d,\"dedicated_p99_ms\":%d,\"dedicated_lost\":%d,"
            + "\"ratio_p50\":%s,\"others_outage_p50_ms\":%d,\"others_outage_max_ms\":%d,"
            + "\"others_failed_max\":%d,\"others_lost\":%d}",
        n,
        pooledP50,
        p(pooled, 99),
        lost(pooled),
        dedicatedP50,
        p(single, 99),
        lost(single),
        dedicatedP50 > 0
            ? String.format(Locale.ROOT, "%.3f", (double) pooledP50 / dedicatedP50)
            : "null",
        p(others, 50),
        p(others, 100),
        Percentiles.of(others.stream().map(Sample::failed).toList(), 100),
        lost(others)));
  }

  private static void row(String subject, List<Sample> samples) {
    System.out.printf(
        "%-58s %8d %8d %8d %6d %12d%n",
        subject,
        p(samples, 50),
        p(samples, 99),
        p(samples, 100),
        lost(samples),
        Percentiles.of(samples.stream().map(Sample::failed).toList(), 50));
  }

  private static long p(List<Sample> samples, double percentile) {
    return Percentiles.of(samples.stream().map(Sample::outageMillis).toList(), percentile);
  }

  private static long lost(List<Sample> samples) {
    return samples.stream().mapToLong(Sample::lost).sum();
  }
}
