package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PoolMemberStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbySpec;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Units sharing one standby (docs/pools.md) on the real control plane, the operator running as a process: a pool of
 * capacity 3 and the units naming it make 3 primaries and one shared pod (not 6 pods), each unit Protected by the
 * shared pod; a unit whose template the pool cannot run is refused with InvalidSpec naming the field; a unit beyond
 * the pool's capacity keeps a dedicated standby with Pooled=False/PoolFull; a unit whose primary is lost is taken
 * over by the shared pod, and a new shared pod protects all three. The pooled sidecar is played by
 * {@link PoolSidecarDoubles}: this proves the control path only.
 */
class SharedStandbyTest extends EndToEndTest {
  static final String POOL = "shards";
  static PoolSidecarDoubles pooled;

  @BeforeAll
  static void startPoolDoubles() {
    pooled = new PoolSidecarDoubles(h.client, h.namespace, h.doubles);
  }

  @AfterAll
  static void stopPoolDoubles() {
    if (pooled != null) pooled.close();
  }

  @Test
  void threeUnitsShareOneStandbyAnIncompatibleOneIsRefusedAndOneBeyondCapacityKeepsItsOwn() {
    StandbyPool pool = new StandbyPool();
    pool.setMetadata(
        new ObjectMetaBuilder().withName(POOL).withNamespace(h.namespace).build());
    pool.getSpec().setMaxUnits(3);
    h.client.resource(pool).create();
    for (String u : List.of("pa", "pb", "pc")) {
      h.units.create(pooledUnit(u));
      pause(1100); // creation timestamps have seconds: the join order is the order made
    }

    // The pool makes its pod when it sees its first unit; a unit that joins later has no peer key
    // in it (a running
    // pod's volumes are fixed), so the pool replaces it, make-before-break, until one pod holds all
    // three.
    await("3 primaries and one shared pod, every unit Protected by it")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> poolPods().size() == 1
            && List.of("pa", "pb", "pc").stream()
                .allMatch(u -> h.units.phase(u) == UnitPhase.Protected
                    && poolPods().get(0).getMetadata().getName().equals(h.units.standby(u))));
    String shared = poolPods().get(0).getMetadata().getName();
    assertThat(poolPods().get(0).getSpec().getVolumes())
        .filteredOn(v -> "ou-peer-key".equals(v.getName()))
        .flatExtracting(v -> v.getProjected().getSources())
        .extracting(src -> src.getSecret().getName())
        .containsExactly("pa-peer-key", "pb-peer-key", "pc-peer-key");
    assertThat(unitPods()).hasSize(3);
    assertThat(poolPods()).extracting(p -> p.getMetadata().getName()).containsExactly(shared);
    for (String u : List.of("pa", "pb", "pc")) {
      assertThat(h.units.memberPods(u)).containsExactly(h.units.primary(u));
      assertThat(condition(u, "Pooled").getReason()).isEqualTo("SharedStandby");
      assertThat(poolPods().get(0).getMetadata().getAnnotations())
          .containsKey(ContractKeys.assignmentAnnotation(u))
          .containsKey(ContractKeys.reportAnnotation(u));
      assertThat(h.units.nodeOf(h.units.primary(u))).isNotEqualTo(h.units.nodeOf(shared));
    }
    await("the pool's status: 3 members in sync, its shared pod")
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          var s = pool().getStatus();
          return s != null && Integer.valueOf(3).equals(s.getInSync());
        });
    var status = pool().getStatus();
    assertThat(status.getMembers())
        .extracting(PoolMemberStatus::getUnit)
        .containsExactly("pa", "pb", "pc");
    assertThat(status.getUnits()).isEqualTo(3);
    assertThat(status.getStandby().getPod()).isEqualTo(shared);
    assertThat(poolCondition("Ready").getStatus()).isEqualTo("True");
    assertThat(h.units.eventReasons(POOL)).contains("SharedStandbyCreated");

    OperationalUnit other = pooledUnit("px");
    other
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setImage("registry.example/other:1");
    h.units.create(other);
    await("px refused with InvalidSpec naming the field")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "InvalidSpec".equals(condition("px", "Degraded").getReason()));
    assertThat(condition("px", "Degraded").getMessage())
        .contains("StandbyPool " + POOL, "spec.template.spec.containers[", "image");
    assertThat(h.units.memberPods("px")).isEmpty();
    assertThat(h.units.eventReasons("px")).contains("InvalidSpec");

    h.units.create(pooledUnit("pd"));
    await("pd beyond capacity: Protected by a standby of its own, PoolFull")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> h.units.phase("pd") == UnitPhase.Protected
            && "PoolFull".equals(condition("pd", "Pooled").getReason()));
    assertThat(h.units.standby("pd")).isNotEqualTo(shared).startsWith("pd-");
    assertThat(h.units.memberPods("pd")).hasSize(2);
    assertThat(condition("pd", "Pooled").getStatus()).isEqualTo("False");
    await("the pool says it is full")
        .atMost(Duration.ofSeconds(30))
        .until(() -> "True".equals(poolCondition("Full").getStatus()));
    assertThat(pool().getStatus().getNotHeld()).contains("pd", "px");
    assertThat(poolPods()).hasSize(1);

    // Takeover: pb's primary pod deleted, the shared pod becomes pb's primary and keeps pa's and
    // pc's replicas
    // until the pool's new shared pod holds them in sync.
    String pbPrimary = h.units.primary("pb");
    faults.deletePod(h.namespace, pbPrimary);
    await("pb taken over by the shared pod: its Service selects it, it holds pb's Lease")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> shared.equals(h.units.primary("pb"))
            && h.units.endpointPods("pb").equals(java.util.Set.of(shared))
            && h.leaseRenewedBy("pb", shared));
    await("a new shared pod holds all three in sync; the old one keeps pb alone")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> {
          List<Pod> now = poolPods();
          Pod next = now.stream()
              .filter(p -> !p.getMetadata().getName().equals(shared))
              .findFirst()
              .orElse(null);
          Pod old = now.stream()
              .filter(p -> p.getMetadata().getName().equals(shared))
              .findFirst()
              .orElse(null);
          return now.size() == 2
              && next != null
              && old != null
              && List.of("pa", "pb", "pc").stream()
                  .allMatch(u -> next.getMetadata().getName().equals(h.units.standby(u))
                      && h.units.phase(u) == UnitPhase.Protected)
              && !old.getMetadata().getLabels().containsKey(ContractKeys.poolUnitLabel("pa"))
              && !old.getMetadata().getLabels().containsKey(ContractKeys.poolUnitLabel("pc"));
        });
    await(
            "the old shared pod, serving pb alone, belongs to pb: deleting the pool would leave pb's primary")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> poolPods().stream()
            .filter(p -> p.getMetadata().getName().equals(shared))
            .anyMatch(p -> p.getMetadata().getOwnerReferences().size() == 1
                && "OperationalUnit"
                    .equals(p.getMetadata().getOwnerReferences().get(0).getKind())
                && "pb".equals(p.getMetadata().getOwnerReferences().get(0).getName())));
    assertThat(h.units.eventReasons("pb")).doesNotContain("NameConflict");
    assertThat(h.units.failovers("pb")).isEqualTo(1);
    assertThat(h.units.failovers("pa")).isZero();
    assertThat(h.units.failovers("pc")).isZero();
    assertThat(h.units.eventReasons("pb")).contains("FailoverStarted");
    await("the operator's pool metrics: 3 units, 3 in sync, capacity 3, one takeover")
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          String m = h.operator.metrics();
          return poolMetric(m, "ou_pool_units", POOL) == 3.0
              && poolMetric(m, "ou_pool_units_in_sync", POOL) == 3.0
              && poolMetric(m, "ou_pool_capacity", POOL) == 3.0
              && poolMetric(m, "ou_pool_takeovers_total", POOL) == 1.0;
        });
  }

  @Test
  void aSharedStandbyWhoseNodeIsLostIsReplacedOnAnotherNodeWithoutPromotingAnything() {
    String pool = "lone";
    List<String> units = List.of("qa", "qb");
    twoUnitsProtectedByOneSharedPod(pool, units);
    String lost = poolPods(pool).get(0).getMetadata().getName();
    String lostNode = h.units.nodeOf(lost);
    try {
      faults.failNode(lostNode);
      await("a new shared pod on another node protects qa and qb")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> units.stream().allMatch(u -> {
            String standby = h.units.standby(u);
            return standby != null
                && !standby.equals(lost)
                && standby.startsWith(pool + "-standby-")
                && h.units.phase(u) == UnitPhase.Protected;
          }));
      String replacement = h.units.standby("qa");
      assertThat(h.units.nodeOf(replacement)).isNotEqualTo(lostNode);
      for (String u : units) {
        assertThat(h.units.failovers(u)).as(u + " was not promoted").isZero();
        assertThat(h.units.nodeOf(h.units.primary(u))).isNotEqualTo(h.units.nodeOf(replacement));
      }
      assertThat(h.units.eventReasons(pool)).contains("SharedStandbyDeleted");
    } finally {
      faults.healNode(lostNode);
    }
    for (String u : units) h.units.delete(u);
  }

  @Test
  void
      aPrimaryAndTheSharedStandbyLostTogetherPromoteNothingNorLoopAndThePoolRecoversWhenTheNodeIsBack() {
    String pool = "pair";
    List<String> units = List.of("ra", "rb");
    twoUnitsProtectedByOneSharedPod(pool, units);
    String shared = poolPods(pool).get(0).getMetadata().getName();
    String sharedNode = h.units.nodeOf(shared);
    String raPrimary = h.units.primary("ra");
    String raNode = h.units.nodeOf(raPrimary);
    // rb's primary may share ra's node: then rb is taken over by the new shared pod when that node
    // dies (as it should), and the pool makes one more shared pod to be N+1 again.
    boolean rbBesideRa = raNode.equals(h.units.nodeOf(h.units.primary("rb")));
    java.util.Set<String> poolPodsSeen = new java.util.TreeSet<>();
    try {
      // Two pool pods lost before the pool is whole again: ra's primary and the shared standby, its
      // only in-sync copy. ra's primary hangs first (its double frozen: it streams to no new shared
      // pod), then the shared pod's node dies, then ra's. The operator learns of the two nodes in
      // separate reconciles, so failing them together let it see ra's primary lost while the shared
      // pod's node still looked healthy, and promoting it then is right (CI saw exactly that).
      h.doubles.of(raPrimary).freeze();
      faults.failNode(sharedNode);
      await("the pool sees its shared pod lost and makes another off its node")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> poolPods(pool).stream()
              .anyMatch(pod -> !pod.getMetadata().getName().equals(shared)));
      // rb is in sync on the new pod before ra's node dies: when rb's primary shares that node, the
      // new pod is what it is taken over by. Failing the node sooner left rb with no copy to
      // promote (CI: the await for rb's protection below timed out).
      await("rb Protected by the new shared pod")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> h.units.phase("rb") == UnitPhase.Protected
              && h.units.standby("rb") != null
              && !h.units.standby("rb").equals(shared));
      faults.failNode(raNode);
      long watchUntil = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      while (System.nanoTime() < watchUntil) {
        poolPods(pool).forEach(pod -> poolPodsSeen.add(pod.getMetadata().getName()));
        assertThat(h.units.primary("ra"))
            .as("ra is never promoted onto the lost shared pod")
            .isEqualTo(raPrimary);
        assertThat(h.units.failovers("ra")).isZero();
        pause(250);
      }
      assertThat(poolPodsSeen)
          .as("one new shared pod (two when rb was taken over), not a create/delete loop")
          .hasSizeLessThanOrEqualTo(rbBesideRa ? 3 : 2);
      assertThat(condition("ra", "Ready").getStatus()).isEqualTo("False");
      assertThat(h.units.eventReasons("ra")).contains("FailoverBlocked");
      // A new shared pod off the lost nodes protects rb (taken over by one first, if its primary
      // shared ra's node).
      await("a new shared pod on a live node, protecting rb")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> poolPods(pool).stream()
                  .anyMatch(pod -> !pod.getMetadata().getName().equals(shared)
                      && pod.getMetadata().getDeletionTimestamp() == null
                      && pod.getSpec().getNodeName() != null
                      && !java.util.Set.of(raNode, sharedNode)
                          .contains(pod.getSpec().getNodeName()))
              && h.units.phase("rb") == UnitPhase.Protected);
      // Said once or a few times, not at every pass (the benchmark's unit wrote 949 events).
      assertThat(h.units.eventReasons("ra").stream()
              .filter("FailoverBlocked"::equals)
              .count())
          .as("FailoverBlocked events of ra")
          .isLessThanOrEqualTo(6);
      faults.healNode(raNode);
      h.doubles.of(raPrimary).unfreeze();
      await("ra's primary back: both units Protected by the new shared pod, the pool N+1")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> units.stream()
              .allMatch(u -> h.units.phase(u) == UnitPhase.Protected
                  && h.units.standby(u) != null
                  && !h.units.standby(u).equals(shared)));
      assertThat(h.units.primary("ra")).isEqualTo(raPrimary);
      assertThat(h.units.failovers("ra")).isZero();
      assertThat(h.units.failovers("rb")).isEqualTo(rbBesideRa ? 1 : 0);
    } finally {
      faults.healNode(raNode);
      faults.healNode(sharedNode);
    }
    poolPods(pool).forEach(pod -> poolPodsSeen.add(pod.getMetadata().getName()));
    assertThat(poolPodsSeen).as("pool pods made").hasSizeLessThanOrEqualTo(rbBesideRa ? 3 : 2);
    for (String u : units) h.units.delete(u);
  }

  /** A pool's sample in the operator's Prometheus text, or NaN when it has none. */
  private static double poolMetric(String text, String name, String pool) {
    return text.lines()
        .filter(l -> l.startsWith(name + "{") && l.contains("pool=\"" + pool + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(Double.NaN);
  }

  private static OperationalUnit pooledUnit(String name) {
    OperationalUnit u = Units.sample(h.repoRoot, name, UnitHarness.BUDGET);
    u.getSpec().setStandby(new StandbySpec(POOL));
    return u;
  }

  /** A pool of two made, then {@code units} applied one after another, each Protected by its one shared pod. */
  private void twoUnitsProtectedByOneSharedPod(String pool, List<String> units) {
    StandbyPool p = new StandbyPool();
    p.setMetadata(
        new ObjectMetaBuilder().withName(pool).withNamespace(h.namespace).build());
    p.getSpec().setMaxUnits(2);
    h.client.resource(p).create();
    for (String u : units) {
      OperationalUnit unit = Units.sample(h.repoRoot, u, UnitHarness.BUDGET);
      unit.getSpec().setStandby(new StandbySpec(pool));
      h.units.create(unit);
      pause(1100);
    }
    await(String.join(" and ", units) + " Protected by one shared pod")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> poolPods(pool).size() == 1
            && units.stream()
                .allMatch(u -> h.units.phase(u) == UnitPhase.Protected
                    && poolPods(pool).get(0).getMetadata().getName().equals(h.units.standby(u))));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static StandbyPool pool() {
    return h.client
        .resources(StandbyPool.class)
        .inNamespace(h.namespace)
        .withName(POOL)
        .get();
  }

  private static List<Pod> unitPods() {
    return h
        .client
        .pods()
        .inNamespace(h.namespace)
        .withLabel(ContractKeys.UNIT_LABEL)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> List.of("pa", "pb", "pc")
            .contains(p.getMetadata().getLabels().get(ContractKeys.UNIT_LABEL)))
        .toList();
  }

  private static List<Pod> poolPods() {
    return poolPods(POOL);
  }

  private static List<Pod> poolPods(String pool) {
    return h.client
        .pods()
        .inNamespace(h.namespace)
        .withLabel(ContractKeys.POOL_LABEL, pool)
        .list()
        .getItems();
  }

  private static Condition poolCondition(String type) {
    var s = pool().getStatus();
    return s == null
        ? new Condition()
        : s.getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .orElse(new Condition());
  }

  private static Condition condition(String unit, String type) {
    OperationalUnit u = h.units.get(unit);
    if (u == null || u.getStatus() == null) return new Condition();
    return u.getStatus().getConditions().stream()
        .filter(c -> Objects.equals(type, c.getType()))
        .findFirst()
        .orElse(new Condition());
  }
}
