package dev.availability.ou.drill;

import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.e2e.client.Attempt;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.e2e.client.LoadSettings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * bench/drill: random faults of every kind against one Synchronous and one Asynchronous sample unit, both
 * under a client's load, on a cluster whose pods really run. Each round: both clients start, one fault goes
 * to one unit's primary, both units recover (Protected again), both clients stop and read everything back.
 * Prints a line per fault with the running totals, then a table and the totals as one JSON line.
 * Usage: DrillBenchmark FAULTS SEED API_DOWN_SECONDS [KIND,KIND...]
 */
public final class DrillBenchmark {
  private static final LoadSettings LOAD = LoadSettings.defaults("127.0.0.1:1")
      .withWriters(2)
      .withRate(40)
      .withTimeout(Duration.ofSeconds(1));

  // Each fault's own time is printed; a slow recovery (a loaded machine, right after an API server
  // outage) is a figure, not a reason to stop the run.
  private static final Duration RECOVERY_PATIENCE = Duration.ofMinutes(6);

  public static void main(String[] args) throws Exception {
    int faults = Integer.parseInt(args[0]);
    long seed = Long.parseLong(args[1]);
    Duration apiDown = Duration.ofSeconds(Long.parseLong(args[2]));
    List<FaultKind> kinds = args.length > 3 && !args[3].isBlank()
        ? java.util.Arrays.stream(args[3].split(",")).map(FaultKind::ofLabel).toList()
        : List.of(FaultKind.values());
    DrillCluster cluster = DrillCluster.get(
        System.getenv().getOrDefault("OU_BENCH_CLUSTER_NAME", "ou-bench-drill"), 4);
    System.out.println(MachineLine.of(cluster.client));
    System.out.printf(
        "faults: %d, seed %d, kinds %s (API server held down %d s); budget %s; load per unit: %d writers, %.0f writes/s%n",
        faults,
        seed,
        kinds.stream().map(k -> k.label).toList(),
        apiDown.toSeconds(),
        Drill.BUDGET,
        LOAD.writers(),
        LOAD.rate());
    Units.installCrd(cluster.client, cluster.repo);
    DrillTally tally = new DrillTally();
    // The table and the JSON line also when the run is stopped early (Ctrl-C, a timeout): a long
    // run's figures so far.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> summary(tally, faults, seed), "drill-summary"));
    try (DrillOperator operator = new DrillOperator(cluster, "ou-bench-drill-operator");
        Drill sync = new Drill(cluster, "bench-sync", ReplicationMode.Synchronous)
            .patience(RECOVERY_PATIENCE);
        Drill async = new Drill(cluster, "bench-async", ReplicationMode.Asynchronous)
            .patience(RECOVERY_PATIENCE)) {
      sync.createProtected();
      async.createProtected();
      Random random = new Random(seed);
      for (int i = 1; i <= faults; i++) {
        FaultKind kind = kinds.get(random.nextInt(kinds.size()));
        Drill target = random.nextBoolean() ? sync : async;
        round(i, faults, kind, target, List.of(sync, async), operator, apiDown, tally);
      }
    }
    System.exit(0); // the shutdown hooks print the summary and delete the cluster
  }

  private static void summary(DrillTally tally, int planned, long seed) {
    synchronized (tally) {
      System.out.println();
      if (tally.faults() < planned)
        System.out.printf("stopped after %d of %d faults%n", tally.faults(), planned);
      tally.printTable(System.out);
      System.out.println(tally.json(seed));
      System.out.flush();
    }
  }

  private static void round(
      int i,
      int n,
      FaultKind kind,
      Drill target,
      List<Drill> drills,
      DrillOperator operator,
      Duration apiDown,
      DrillTally tally)
      throws Exception {
    long start = System.nanoTime();
    for (Drill d : drills)
      d.startLoad(LOAD.withAddress(d.cluster.serviceAddress(d.namespace, Drill.UNIT)), null);
    Drill.pause(Duration.ofSeconds(1));
    target.suffer(kind, operator, apiDown);
    for (Drill d : drills) d.awaitProtected("a bystander of " + kind.label, 0);
    Drill.pause(Duration.ofSeconds(1)); // writes after the recovery, so the outage has an end
    Map<ReplicationMode, ClientVerdict> verdicts = new EnumMap<>(ReplicationMode.class);
    for (Drill d : drills) verdicts.put(d.mode, d.finish());
    ClientVerdict v = verdicts.get(target.mode);
    synchronized (tally) {
      tally.add(kind, target.mode, v, verdicts);
    }
    System.out.printf(
        "fault %d/%d %s on the %s unit: outage %d ms, failed writes %d, lost %s (%.0f s) | %s%n",
        i,
        n,
        kind.label,
        target.mode,
        v.outageMillis(),
        v.failed(),
        lostText(verdicts),
        (System.nanoTime() - start) / 1e9,
        tally.totalsLine());
    for (Drill d : drills) {
      List<String> keys = d.lastLoad().attempts().stream()
          .filter(Attempt::acked)
          .map(Attempt::key)
          .toList();
      StoreEraser.erase(d.lastLoad().settings().address(), keys);
    }
  }

  private static String lostText(Map<ReplicationMode, ClientVerdict> verdicts) {
    StringBuilder s = new StringBuilder();
    verdicts.forEach(
        (m, v) -> s.append(s.isEmpty() ? "" : ", ").append(m).append(' ').append(v.lost()));
    return s.toString();
  }
}
