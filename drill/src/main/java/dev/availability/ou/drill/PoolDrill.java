package dev.availability.ou.drill;

import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PoolResourcesSpec;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbySpec;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.e2e.client.LoadClient;
import dev.availability.ou.e2e.client.LoadSettings;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A pool drill: three Synchronous sample units sharing one StandbyPool (docs/pools.md) in a namespace of their own on
 * the drill cluster, with real pooled sidecars and the sample app in the shared pod; a client per unit writing through
 * the unit's Service address; then a node fault, and each client's own figures.
 */
public final class PoolDrill implements AutoCloseable {
  public static final String POOL = "kv-shards";
  public static final List<String> UNITS = List.of("shard-1", "shard-2", "shard-3");

  public final DrillCluster cluster;
  public final String namespace;
  public final Units units;
  private final Map<String, LoadClient> loads = new LinkedHashMap<>();
  private final Duration patience = Duration.ofSeconds(180);

  public PoolDrill(DrillCluster cluster, String name) {
    this.cluster = cluster;
    this.namespace = "drill-" + name + "-" + Long.toString(System.nanoTime() % 100000, 36);
    cluster
        .client
        .namespaces()
        .resource(new NamespaceBuilder()
            .withNewMetadata()
            .withName(namespace)
            .endMetadata()
            .build())
        .create();
    this.units = new Units(cluster.client, namespace);
  }

  /** The pool and its three units (as samples/kvstore-pool.yaml, with the drills' budget), each Protected by one shared pod. */
  public String createProtected() {
    return createProtected(u -> {});
  }

  /** As {@link #createProtected()}, each unit as {@code shape} changes it (a benchmark's loop protection). */
  public String createProtected(java.util.function.Consumer<OperationalUnit> shape) {
    StandbyPool pool = new StandbyPool();
    pool.setMetadata(
        new ObjectMetaBuilder().withName(POOL).withNamespace(namespace).build());
    PoolResourcesSpec resources = new PoolResourcesSpec();
    resources.setMemory("512Mi");
    pool.getSpec().setResources(resources);
    cluster.client.resource(pool).create();
    // All at once (join order: creation time, then name): the pool then mostly sees the three
    // together and makes
    // one shared pod, not one per join (units made a second apart started 6 pods, 12 JVMs, at
    // once).
    for (String u : UNITS) {
      OperationalUnit unit = pooledUnit(u);
      shape.accept(unit);
      units.create(unit);
    }
    awaitWhole("created", null);
    // N+1: the pods the pool made while units joined are gone (Protected may come before they are).
    awaitUntil("the pool down to its one shared pod", () -> poolPods().size() == 1);
    return sharedPod();
  }

  private OperationalUnit pooledUnit(String name) {
    OperationalUnit u = Units.sample(cluster.repo, name, Drill.BUDGET);
    u.getSpec().setStandby(new StandbySpec(POOL));
    // The primaries avoid each other's nodes (4 pods on 4 nodes): by the unit label, which the
    // pool's pods never
    // carry, so the pods a pool makes and replaces while units join take no node from a primary.
    u.getSpec()
        .getTemplate()
        .getSpec()
        .setAffinity(new AffinityBuilder()
            .withNewPodAntiAffinity()
            .withRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector()
                .addNewMatchExpression()
                .withKey(ContractKeys.UNIT_LABEL)
                .withOperator("Exists")
                .endMatchExpression()
                .endLabelSelector()
                .build())
            .endPodAntiAffinity()
            .build());
    return u;
  }

  /**
   * Every unit Protected with one live shared pod (other than {@code notShared}, if given) as its standby, the standby
   * off its primary's node, and each unit's Service on its primary alone.
   */
  public void awaitWhole(String why, String notShared) {
    awaitUntil("every unit Protected by one shared pod (" + why + ")", () -> {
      String shared = sharedPod();
      if (shared == null || shared.equals(notShared)) return false;
      for (String u : UNITS) {
        String primary = units.primary(u);
        if (units.phase(u) != UnitPhase.Protected
            || !shared.equals(units.standby(u))
            || primary == null
            || units.nodeOf(shared) == null
            || units.nodeOf(shared).equals(units.nodeOf(primary))
            || !units.readyEndpointPods(u).equals(Set.of(primary))) return false;
      }
      return true;
    });
  }

  /**
   * After the node of {@code victim}'s primary {@code formerPrimary} died: waits until {@code shared} serves the victim
   * alone, a new shared pod protects every unit, and the pool is N+1 again (4 live pods, the former primary gone).
   */
  public void awaitTakenOver(String victim, String shared, String formerPrimary) {
    awaitUntil(
        victim + " taken over by the shared pod " + shared,
        () -> shared.equals(units.primary(victim))
            && units.readyEndpointPods(victim).equals(Set.of(shared)));
    awaitWhole("a new shared standby after the takeover", shared);
    awaitUntil(
        "the pool N+1 again: 3 primaries and one shared standby, " + formerPrimary + " gone",
        () -> livePods().size() == 4
            && livePods().stream().noneMatch(p -> p.getMetadata().getName().equals(formerPrimary)));
  }

  public void awaitUntil(String what, BooleanSupplier condition) {
    try {
      await(what)
          .atMost(patience)
          .pollInterval(Duration.ofMillis(250))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new ConditionTimeoutException(e.getMessage() + "\n" + describe());
    }
  }

  /** The pool's pods not being deleted, each holding at least one unit's label. */
  public List<Pod> poolPods() {
    return cluster
        .client
        .pods()
        .inNamespace(namespace)
        .withLabel(ContractKeys.POOL_LABEL, POOL)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** Pods of the namespace not being deleted. */
  public List<Pod> livePods() {
    return cluster.client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** The standby the first unit names, when it is a pod of the pool; else null. */
  public String sharedPod() {
    String standby = units.standby(UNITS.get(0));
    return standby != null && standby.startsWith(POOL + "-standby-") ? standby : null;
  }

  public StandbyPool pool() {
    return cluster
        .client
        .resources(StandbyPool.class)
        .inNamespace(namespace)
        .withName(POOL)
        .get();
  }

  /** One client per unit through its Service address, each waited for until its first acknowledgements. */
  public void startLoads() throws Exception {
    loads.values().forEach(LoadClient::close); // a benchmark's earlier round, finished
    loads.clear();
    for (String u : UNITS) {
      loads.put(
          u,
          LoadClient.start(
              LoadSettings.defaults(cluster.serviceAddress(namespace, u))
                  .withWriters(2)
                  .withRate(40)
                  .withTimeout(Duration.ofMillis(1000)),
              null));
    }
    for (var e : loads.entrySet())
      await("the first acknowledged writes of " + e.getKey() + "'s client")
          .atMost(Duration.ofSeconds(30))
          .until(() -> e.getValue().attempts().stream().filter(a -> a.acked()).count() >= 10);
  }

  /** Stops every client and reads every key back from the unit's current primary: each unit's verdict. */
  public Map<String, ClientVerdict> finish() {
    loads.values().forEach(LoadClient::stop);
    Map<String, ClientVerdict> verdicts = new LinkedHashMap<>();
    loads.forEach((u, load) -> {
      ClientVerdict v = load.verdict(load.readBack(Duration.ofSeconds(120)));
      verdicts.put(u, v);
      Progress.log("pool drill " + namespace + " " + u + ": "
          + dev.availability.ou.e2e.client.VerdictText.json(v, Map.of()));
      if (v.lost() > 0)
        Progress.log("pool drill " + namespace + " " + u + ": lost " + v.lostExamples());
    });
    return verdicts;
  }

  /** The units', the pool's state and their events in the order last seen: what a failed assertion should print. */
  public String describe() {
    StringBuilder b = new StringBuilder("pool drill " + namespace + ":");
    for (String u : UNITS) {
      OperationalUnit unit = units.get(u);
      var s = unit == null ? null : unit.getStatus();
      b.append("\n  ").append(u).append(": ");
      if (s == null) {
        b.append("no status");
        continue;
      }
      b.append("phase ")
          .append(s.getPhase())
          .append(", epoch ")
          .append(s.getEpoch())
          .append(", failovers ")
          .append(s.getFailovers())
          .append(", primary ")
          .append(units.primary(u))
          .append(" on ")
          .append(units.nodeOf(units.primary(u)))
          .append(", standby ")
          .append(units.standby(u))
          .append(", endpoints ")
          .append(units.endpointPods(u))
          .append("; ")
          .append(
              s.getConditions() == null
                  ? ""
                  : s.getConditions().stream()
                      .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason() + ": "
                          + c.getMessage())
                      .collect(Collectors.joining("; ")));
    }
    StandbyPool p = pool();
    if (p != null && p.getStatus() != null)
      b.append("\n  pool: units ")
          .append(p.getStatus().getUnits())
          .append(", in sync ")
          .append(p.getStatus().getInSync());
    for (Pod pod : cluster.client.pods().inNamespace(namespace).list().getItems())
      b.append("\n  pod ")
          .append(pod.getMetadata().getName())
          .append(" on ")
          .append(pod.getSpec().getNodeName())
          .append(pod.getMetadata().getDeletionTimestamp() == null ? "" : " (deleting)")
          .append(" labels ")
          .append(pod.getMetadata().getLabels().keySet());
    b.append("\n  events:");
    cluster.client.v1().events().inNamespace(namespace).list().getItems().stream()
        .sorted(java.util.Comparator.comparing(
            e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()))
        .forEach(e -> b.append("\n  ")
            .append(e.getLastTimestamp())
            .append(" ")
            .append(e.getInvolvedObject().getName())
            .append(" ")
            .append(e.getReason())
            .append(": ")
            .append(e.getMessage()));
    return b.toString();
  }

  @Override
  public void close() {
    loads.values().forEach(LoadClient::close);
    cluster.client.namespaces().withName(namespace).delete();
  }
}
