package dev.availability.ou.e2e;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Failover time, as BENCHMARKS.md asks: on one cluster, an OperationalUnit and, as the baseline, a plain
 * one-replica Deployment with the same pod template behind a Service, faults alternating A B A B. T0 is
 * the fault's injection, T1 the moment a watch on the Service's EndpointSlices sees them list only the
 * new serving pod. Faults: pod deletion (SAMPLES times each) and node failure (NODE_SAMPLES times each;
 * the baseline then waits for Kubernetes' own node lifecycle: grace period, taint, eviction).
 * Usage: FailoverBenchmark REPO_ROOT KUBECONFIG CLUSTER_NAME SAMPLES NODE_SAMPLES
 */
public final class FailoverBenchmark {
  private static final List<String> RESULTS = new ArrayList<>();
  private static final Duration BASELINE_CAP = Duration.ofSeconds(60);

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path kubeconfig = Path.of(args[1]);
    String clusterName = args[2];
    int n = Integer.parseInt(args[3]);
    int nodeSamples = Integer.parseInt(args[4]);
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      new FailoverBenchmark(client, repo, kubeconfig, clusterName).run(n, nodeSamples);
    }
  }

  private final KubernetesClient client;
  private final Path repo;
  private final Path kubeconfig;
  private final String ns = "ou-bench";
  private final Map<String, Set<String>> endpoints = new ConcurrentHashMap<>();
  private final List<Waiter> waiters = new java.util.concurrent.CopyOnWriteArrayList<>();

  private record Waiter(String service, Predicate<Set<String>> done, CountDownLatch latch, long[] at) {}

  private final String clusterName;

  private FailoverBenchmark(KubernetesClient client, Path repo, Path kubeconfig, String clusterName) {
    this.client = client;
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.clusterName = clusterName;
  }

  private void run(int n, int nodeSamples) throws Exception {
    System.out.printf("machine: %d cores, JDK %s, Kubernetes %s (KWOK nodes), %s%n", Runtime.getRuntime().availableProcessors(),
        Runtime.version(), client.getKubernetesVersion().getGitVersion(), System.getProperty("os.name"));
    client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).serverSideApply();
    Units.installCrd(client, repo);
    client.discovery().v1().endpointSlices().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(EndpointSlice s) { seen(s); }
      @Override public void onUpdate(EndpointSlice o, EndpointSlice s) { seen(s); }
      @Override public void onDelete(EndpointSlice s, boolean unknown) {}
    });
    try (SidecarDoubles doubles = new SidecarDoubles(client, ns);
         OperatorProcess operator = OperatorProcess.start(repo, kubeconfig, "bench", "ou-bench-leader", Map.of())) {
      OperationalUnit unit = Units.sample(repo, "bench-ou", "4s");
      Units units = new Units(client, ns);
      units.create(unit);
      createBaseline(unit.getSpec().getTemplate());
      awaitProtected(units, doubles);
      awaitReadyBaseline();
      System.out.println("warm-up: one fault of each kind");
      faultUnit(units, doubles);
      faultBaseline();

      List<Long> ou = new ArrayList<>();
      List<Long> base = new ArrayList<>();
      int baselineTimeouts = 0;
      for (int i = 1; i <= n; i++) {
        ou.add(faultUnit(units, doubles));
        long b = faultBaseline();
        if (b < 0) baselineTimeouts++;
        else base.add(b);
        System.out.printf("  sample %d/%d: ou-operator %d ms, baseline %s%n", i, n, ou.get(ou.size() - 1), b < 0 ? "> " + BASELINE_CAP.toMillis() + " ms" : b + " ms");
      }
      OperationalUnit last = units.get("bench-ou");
      report("pod-delete", "pod deletion (grace 0)", n, ou, base, baselineTimeouts, last, nodeSamples == 0);

      List<Long> ouNode = new ArrayList<>();
      List<Long> baseNode = new ArrayList<>();
      int nodeTimeouts = 0;
      for (int i = 1; i <= nodeSamples; i++) {
        ouNode.add(nodeFaultUnit(units, doubles));
        long b = nodeFaultBaseline();
        if (b < 0) nodeTimeouts++;
        else baseNode.add(b);
        System.out.printf("  node sample %d/%d: ou-operator %d ms, baseline %s%n", i, nodeSamples, ouNode.get(ouNode.size() - 1),
            b < 0 ? "> " + BASELINE_CAP.toMillis() + " ms" : b + " ms");
      }
      if (nodeSamples > 0) report("node-failure", "node failure (kwok stops its heartbeats)", nodeSamples, ouNode, baseNode, nodeTimeouts, units.get("bench-ou"), true);
      units.delete("bench-ou");
    } finally {
      client.namespaces().withName(ns).delete();
    }
  }

  /** Deletes the unit's primary pod; returns ms until the EndpointSlices list only the standby. */
  private long faultUnit(Units units, SidecarDoubles doubles) throws InterruptedException {
    String primary = units.primary("bench-ou");
    String standby = units.standby("bench-ou");
    Waiter w = waitFor("bench-ou", eps -> eps.equals(Set.of(standby)));
    long t0 = System.nanoTime();
    client.pods().inNamespace(ns).withName(primary).withGracePeriod(0).delete();
    long ms = await(w, Duration.ofSeconds(60), t0);
    awaitProtected(units, doubles);
    return ms;
  }

  /** Fails the node of the unit's primary; returns ms until the EndpointSlices list only the standby. */
  private long nodeFaultUnit(Units units, SidecarDoubles doubles) throws Exception {
    String primary = units.primary("bench-ou");
    String standby = units.standby("bench-ou");
    String node = units.nodeOf(primary);
    Waiter w = waitFor("bench-ou", eps -> eps.equals(Set.of(standby)));
    long t0 = System.nanoTime();
    cluster("fail-node", node);
    long ms = await(w, Duration.ofSeconds(60), t0);
    cluster("heal-node", node);
    awaitProtected(units, doubles);
    return ms;
  }

  /** Fails the node of the baseline's pod; returns ms until a replacement serves, or -1 past the cap. */
  private long nodeFaultBaseline() throws Exception {
    Pod pod = client.pods().inNamespace(ns).withLabel("app", "baseline").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElseThrow();
    String old = pod.getMetadata().getName();
    String node = pod.getSpec().getNodeName();
    Waiter w = waitFor("baseline", eps -> eps.size() == 1 && !eps.contains(old));
    long t0 = System.nanoTime();
    cluster("fail-node", node);
    long ms = await(w, BASELINE_CAP, t0);
    cluster("heal-node", node);
    awaitReadyBaseline();
    return ms;
  }

  private void cluster(String command, String node) throws Exception {
    // A healed node is usable again once it is Ready and kwok holds its lease again.
    if (command.equals("fail-node")) awaitNodeHealthy(node);
    Process p = new ProcessBuilder(repo.resolve("testenv/local-cluster").toString(), command, node, "--name", clusterName, "--no-wait")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IllegalStateException("testenv/local-cluster " + command + " " + node + " failed: " + out);
  }

  private void awaitNodeHealthy(String node) throws InterruptedException {
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until) {
      var n = client.nodes().withName(node).get();
      var lease = client.leases().inNamespace("kube-node-lease").withName(node).get();
      boolean ready = n != null && n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      if (ready && lease != null && lease.getSpec().getRenewTime() != null) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("node " + node + " never Ready again after heal-node");
  }

  /** Deletes the baseline's pod; returns ms until the EndpointSlices list only its (ready) replacement, or -1 past the cap. */
  private long faultBaseline() throws InterruptedException {
    Pod pod = client.pods().inNamespace(ns).withLabel("app", "baseline").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst().orElseThrow();
    String old = pod.getMetadata().getName();
    Waiter w = waitFor("baseline", eps -> eps.size() == 1 && !eps.contains(old));
    long t0 = System.nanoTime();
    client.pods().inNamespace(ns).withName(old).withGracePeriod(0).delete();
    long ms = await(w, BASELINE_CAP, t0);
    awaitReadyBaseline();
    return ms;
  }

  private void seen(EndpointSlice s) {
    String service = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get("kubernetes.io/service-name");
    if (service == null) return;
    Set<String> ready = s.getEndpoints() == null ? Set.of() : s.getEndpoints().stream()
        .filter(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()))
        .map(e -> e.getTargetRef() == null ? null : e.getTargetRef().getName()).filter(Objects::nonNull).collect(Collectors.toSet());
    endpoints.put(service, ready);
    long now = System.nanoTime();
    for (Waiter w : waiters) {
      if (w.service().equals(service) && w.latch().getCount() > 0 && w.done().test(ready)) {
        w.at()[0] = now;
        w.latch().countDown();
      }
    }
  }

  private Waiter waitFor(String service, Predicate<Set<String>> done) {
    Waiter w = new Waiter(service, done, new CountDownLatch(1), new long[1]);
    waiters.add(w);
    return w;
  }

  private long await(Waiter w, Duration cap, long t0) throws InterruptedException {
    boolean ok = w.latch().await(cap.toMillis(), TimeUnit.MILLISECONDS);
    waiters.remove(w);
    return ok ? TimeUnit.NANOSECONDS.toMillis(w.at()[0] - t0) : -1;
  }

  private void createBaseline(PodTemplateSpec template) {
    PodTemplateSpec t = Serialization.clone(template);
    t.getMetadata().setLabels(Map.of("app", "baseline"));
    client.resource(new DeploymentBuilder().withNewMetadata().withName("baseline").withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "baseline").endSelector().withTemplate(t).endSpec().build()).create();
    client.resource(new ServiceBuilder().withNewMetadata().withName("baseline").withNamespace(ns).endMetadata()
        .withNewSpec().addToSelector("app", "baseline").addNewPort().withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
  }

  private void awaitProtected(Units units, SidecarDoubles doubles) throws InterruptedException {
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until) {
      String p = units.primary("bench-ou");
      String s = units.standby("bench-ou");
      if (units.phase("bench-ou") == UnitPhase.Protected && p != null && s != null && doubles.has(p) && doubles.has(s)
          && endpoints.getOrDefault("bench-ou", Set.of()).equals(Set.of(p))) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("unit never Protected again");
  }

  private void awaitReadyBaseline() throws InterruptedException {
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until) {
      if (endpoints.getOrDefault("baseline", Set.of()).size() == 1) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("baseline never Ready");
  }

  private static void report(String fault, String what, int n, List<Long> ou, List<Long> base, int baselineTimeouts, OperationalUnit last, boolean printAll) {
    long ouP50 = pct(ou, 50), ouP99 = pct(ou, 99);
    String baseP50 = base.isEmpty() ? "null" : String.valueOf(pct(base, 50));
    String baseP99 = base.isEmpty() ? "null" : String.valueOf(pct(base, 99));
    double ratio = base.isEmpty() ? Double.NaN : (double) ouP50 / pct(base, 50);
    System.out.println();
    System.out.println("fault: " + what + "; T1 = EndpointSlice watch lists only the new serving pod");
    System.out.printf("%-34s %8s %8s %8s%n", "subject", "p50 ms", "p99 ms*", "max ms");
    System.out.printf("%-34s %8d %8d %8d%n", "ou-operator (standby promoted)", ouP50, ouP99, ou.stream().mapToLong(x -> x).max().orElse(0));
    System.out.printf("%-34s %8s %8s %8s%n", "Deployment, 1 replica (baseline)", baseP50, baseP99, base.stream().mapToLong(x -> x).max().orElse(0));
    System.out.printf("* with %d samples p99 is the max of %d; baseline runs past the %d ms cap: %d%n", n, n, BASELINE_CAP.toMillis(), baselineTimeouts);
    if (last != null && last.getStatus() != null && last.getStatus().getLastFailover() != null) {
      var r = last.getStatus().getLastFailover();
      System.out.printf("last failover from the unit's status: detection %s ms, promotion %s ms, traffic switched %s ms, within recovery budget %s%n",
          r.getDetectionMillis(), r.getPromotionMillis(), r.getTrafficSwitchedMillis(), r.getWithinRecoveryBudget());
    }
    String json = String.format(Locale.ROOT, "{\"bench\":\"failover\",\"fault\":\"%s\",\"n\":%d,\"p50_ms\":%d,\"p99_ms\":%d,\"baseline_p50_ms\":%s,\"baseline_p99_ms\":%s,\"baseline_over_cap\":%d,\"ratio_p50\":%s}",
        fault, n, ouP50, ouP99, baseP50, baseP99, baselineTimeouts, Double.isNaN(ratio) ? "null" : String.format(Locale.ROOT, "%.3f", ratio));
    RESULTS.add(json);
    if (!printAll) return;
    // The last line: one JSON object with every fault's figures.
    System.out.println("{\"bench\":\"failover\",\"results\":[" + String.join(",", RESULTS) + "]}");
  }

  private static long pct(List<Long> values, int p) {
    long[] sorted = values.stream().mapToLong(x -> x).sorted().toArray();
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
