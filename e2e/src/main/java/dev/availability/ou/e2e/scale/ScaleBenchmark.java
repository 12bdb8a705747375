package dev.availability.ou.e2e.scale;

import dev.availability.ou.e2e.OperatorProcess;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.testsupport.Progress;
import dev.availability.ou.testsupport.RepoRoot;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/scale UNITS} (issue 17): one operator process, UNITS units applied at once on KWOK nodes, their
 * sidecars played by {@link ScaleMembers}; then steady state, then a few units faulted while the rest stay steady,
 * next to the same fault on a unit alone (measured first, in the same run). Prints the machine, a table and one
 * JSON line last ({@link ScaleReport}). Settings from the environment: OU_SCALE_STEADY_SECONDS (120),
 * OU_SCALE_FAULTS (5), OU_SCALE_BUDGET (the units' responseTimeBudget, 10s, the default).
 */
public final class ScaleBenchmark {
  static final String NAMESPACE = "ou-scale";
  final int units;
  final long steadySeconds;
  final int faults;
  final String budget;
  private final Path repo;
  private final Path kubeconfig;
  private final KubernetesClient admin;
  final ScaleReport report;

  ScaleBenchmark(
      int units, long steadySeconds, int faults, String budget, Path repo, Path kubeconfig)
      throws Exception {
    this.units = units;
    this.steadySeconds = steadySeconds;
    this.faults = faults;
    this.budget = budget;
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.admin = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .build();
    this.report = new ScaleReport(this, admin);
  }

  public static void main(String[] args) throws Exception {
    int units = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    long steady = Long.parseLong(env("OU_SCALE_STEADY_SECONDS", "120"));
    int faults = Integer.parseInt(env("OU_SCALE_FAULTS", "5"));
    String budget = env("OU_SCALE_BUDGET", "10s");
    String kc = System.getenv("KUBECONFIG");
    if (kc == null || kc.isBlank())
      throw new IllegalStateException(
          "KUBECONFIG is not set: run bench/scale, which starts the cluster");
    ScaleBenchmark b =
        new ScaleBenchmark(units, steady, faults, budget, RepoRoot.require(), Path.of(kc));
    System.exit(b.run() ? 0 : 1);
  }

  /** The operator's metrics port, and OU_SCALE_RECONCILE_THREADS (the reconcilers running at once) when set. */
  private static Map<String, String> operatorEnv(int port) {
    Map<String, String> env = new java.util.HashMap<>(
        Map.of("QUARKUS_HTTP_PORT", String.valueOf(port), "QUARKUS_HTTP_HOST", "127.0.0.1"));
    String threads = System.getenv("OU_SCALE_RECONCILE_THREADS");
    if (threads != null && !threads.isBlank())
      env.put("QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS", threads.trim());
    return env;
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  /** Runs every phase and prints the report; false when a phase failed (the report then says which, with what was measured). */
  boolean run() throws Exception {
    Path work = Files.createTempDirectory("ou-scale");
    freshNamespace();
    Units.installCrd(admin, repo);
    ClientIdentities ids = new ClientIdentities(admin, NAMESPACE, work);
    ids.create();
    int port = freePort();
    Progress.log(
        "starting the operator (its own ServiceAccount; metrics on 127.0.0.1:" + port + ")");
    try (OperatorProcess op = OperatorProcess.start(
            repo, ids.operatorKubeconfig(), "scale", "ou-scale-leader", operatorEnv(port));
        ScaleMembers members = new ScaleMembers(admin, NAMESPACE, ids.membersAccess());
        UnitWatch watch = new UnitWatch(admin, NAMESPACE);
        EndpointWatch endpoints = new EndpointWatch(admin, NAMESPACE)) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(op::kill, "operator-killer")); // Ctrl-C leaves no operator behind
      op.awaitLog("Started event processing", java.time.Duration.ofSeconds(60));
      Probes probes = new Probes(admin, kubeconfig, op.pid(), port);
      FaultRun faultRun = new FaultRun(members, watch, endpoints);
      report.startMachine(probes);
      try {
        measure(probes, faultRun, watch, members);
      } catch (RuntimeException e) {
        // A control plane that stops answering (1,000 units on two busy cores) is a result too: say
        // so, print what was measured.
        report.failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        Progress.log("the run stopped early: " + report.failure);
      }
      report.members = members.counts();
    } finally {
      Progress.log("cleaning up (namespace " + NAMESPACE + ", flow schemas)");
      try {
        admin.namespaces().withName(NAMESPACE).delete();
        ids.delete();
      } catch (RuntimeException e) {
        Progress.log(
            "cleanup failed: " + e.getMessage() + " (bench/scale deletes the cluster anyway)");
      }
    }
    report.print();
    return report.failure == null;
  }

  private void measure(Probes probes, FaultRun faultRun, UnitWatch watch, ScaleMembers members)
      throws Exception {
    report.writeCeiling = WriteCeiling.measure(
        admin, NAMESPACE, Double.parseDouble(env("OU_SCALE_CEILING_SECONDS", "10")));
    Progress.log(
        "single unit: " + faults + " faults, one after another (the baseline, measured first)");
    // (the baseline faults one unit again and again; the units under load, once each, keep the
    // guard)
    units().create(Units.exemptFromLoopGuard(Units.sample(repo, "solo", budget)));
    List<FaultRun.Sample> single = faultRun.series("solo", faults, 120_000);
    Thread.sleep(2000);
    report.single = faultRun.withStatus(single);
    units().delete("solo");
    awaitGone("solo");

    PromText startApply = probes.operatorMetrics();
    PromText apiStartApply = probes.apiserverMetrics();
    long applyStart = System.nanoTime();
    report.allProtectedSeconds = applyAll(watch, members);
    report.applyWrites(
        apiStartApply, probes.apiserverMetrics(), (System.nanoTime() - applyStart) / 1e9);
    PromText endApply = probes.operatorMetrics();
    report.applyQueueWait(startApply, endApply);

    report.steady = Steady.measure(this, probes, watch, members);

    Progress.log("faulting " + faults + " units under load, one every 2 s");
    List<String> faulted = new ArrayList<>();
    List<String> formers = new ArrayList<>();
    List<CompletableFuture<Long>> switches = new ArrayList<>();
    for (String u : pickFaulted(watch, members)) {
      String primary = watch.get(u).map(UnitWatch::primary).orElse(null);
      try {
        switches.add(faultRun.fault(u));
      } catch (IllegalStateException e) {
        Progress.log("not faulting unit " + u + ": " + e.getMessage());
        continue;
      }
      faulted.add(u);
      formers.add(primary);
      Thread.sleep(2000);
    }
    List<FaultRun.Sample> loaded = faultRun.collect(faulted, formers, switches);
    Thread.sleep(3000);
    report.loaded = faultRun.withStatus(loaded);
    report.finalFailovers(watch.failoversByUnit(), faulted);
  }

  Units units() {
    return new Units(admin, NAMESPACE);
  }

  /** Creates every unit at once (eight at a time) and waits until all are Protected; seconds from the first create, or -1. */
  private double applyAll(UnitWatch watch, ScaleMembers members) throws InterruptedException {
    Progress.log("applying " + units + " units at once");
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = 0; i < units; i++) {
      String name = unitName(i);
      pool.submit(() -> units().create(Units.sample(repo, name, budget)));
    }
    pool.shutdown();
    long timeoutS = Long.parseLong(
        env("OU_SCALE_PROTECT_TIMEOUT_SECONDS", String.valueOf(Math.max(300, 2L * units))));
    long lastLog = 0;
    while (true) {
      long n = watch.protectedCount(members);
      double s = (System.nanoTime() - start) / 1e9;
      if (n >= units) {
        Progress.log("Protected " + n + "/" + units + " after " + String.format("%.1f", s) + " s");
        return s;
      }
      if (s > timeoutS) {
        Progress.log("only " + n + "/" + units + " Protected after " + timeoutS + " s ("
            + watch.phases() + "): going on without them");
        return -1;
      }
      if (s - lastLog >= 5) {
        lastLog = (long) s;
        Progress.log(
            "Protected " + n + "/" + units + " after " + (long) s + " s " + watch.phases());
      }
      Thread.sleep(250);
    }
  }

  /** Waits until the unit's pods are gone, so that its members' last calls do not count in the steady window. */
  private void awaitGone(String unit) throws InterruptedException {
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until && !units().memberPods(unit).isEmpty())
      Thread.sleep(250);
    if (!units().memberPods(unit).isEmpty())
      Progress.log(
          "the pods of unit " + unit + " are still there 60 s after its deletion: going on");
  }

  static String unitName(int i) {
    return String.format("u-%04d", i);
  }

  /** Protected units spread over the whole set, so faults do not cluster on the first nodes (a fault needs a unit that serves). */
  private List<String> pickFaulted(UnitWatch watch, ScaleMembers members) {
    List<String> ready = watch.all().stream()
        .filter(u -> UnitWatch.isProtected(u, members))
        .map(u -> u.getMetadata().getName())
        .filter(n -> !n.equals("solo"))
        .sorted()
        .toList();
    List<String> out = new ArrayList<>();
    int n = Math.min(faults, ready.size());
    for (int i = 0; i < n; i++) out.add(ready.get((int) ((long) i * ready.size() / n)));
    if (n < faults)
      Progress.log(
          "only " + ready.size() + " units are Protected: faulting " + n + " instead of " + faults);
    return out;
  }

  private void freshNamespace() throws InterruptedException {
    if (admin.namespaces().withName(NAMESPACE).get() != null) {
      Progress.log("deleting namespace " + NAMESPACE + " left by an earlier run");
      admin.namespaces().withName(NAMESPACE).delete();
      admin
          .namespaces()
          .withName(NAMESPACE)
          .waitUntilCondition(n -> n == null, 5, TimeUnit.MINUTES);
    }
    admin
        .namespaces()
        .resource(new NamespaceBuilder()
            .withNewMetadata()
            .withName(NAMESPACE)
            .endMetadata()
            .build())
        .create();
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
