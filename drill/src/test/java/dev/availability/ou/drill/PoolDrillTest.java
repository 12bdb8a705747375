package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's acceptance on real processes (docs/pools.md): three Synchronous sample units sharing one StandbyPool, the
 * image's pooled sidecar and the sample app in the shared pod, the operator as a process, a client per unit writing
 * through its Service. A node fault under load: the node of one unit's primary (that unit is taken over by the shared
 * pod, the others keep serving and get a new shared standby), or the shared standby's node (nothing is promoted, every
 * unit catches up on a new shared pod). Each client's own figures say what was lost, failed and how long it waited.
 */
@Tag("cluster")
class PoolDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-pool-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    figures.forEach(f -> Progress.log("drill figures: " + f));
  }

  @Test
  void theNodeOfOneUnitsPrimaryDiesAndTheSharedStandbyTakesItOver() throws Exception {
    try (PoolDrill d = new PoolDrill(cluster, "poolkill")) {
      String shared = d.createProtected();
      assertFourPodsOnFourNodes(d, shared);
      d.startLoads();
      Drill.pause(Duration.ofSeconds(2));
      String victim = PoolDrill.UNITS.get(1);
      String formerPrimary = d.units.primary(victim);
      String deadNode = d.units.nodeOf(formerPrimary);
      Progress.log("pool drill " + d.namespace + ": killing node " + deadNode + " of " + victim
          + "'s primary " + formerPrimary);
      cluster.run("kill-node", deadNode);
      try {
        d.awaitTakenOver(victim, shared, formerPrimary);
        String next = d.sharedPod();
        assertThat(d.units.nodeOf(next)).as("the new shared standby's node").isNotEqualTo(deadNode);
        Drill.pause(Duration.ofSeconds(2)); // writes after recovery, so each outage has an end
        Map<String, ClientVerdict> verdicts = d.finish();
        record(d, "kill-node of " + victim + "'s primary", verdicts);
        figures.add(othersFailedWrites(victim, verdicts));
        for (String u : PoolDrill.UNITS) {
          ClientVerdict v = verdicts.get(u);
          assertThat(v.acknowledged()).as(u + "'s acknowledged writes").isPositive();
          assertThat(v.lost())
              .as(u + "'s acknowledged writes lost: %s\n%s", v.lostExamples(), d.describe())
              .isZero();
          assertThat(v.splitBrain())
              .as(u + "'s split brain: %s", v.splitBrainExamples())
              .isZero();
          if (u.equals(victim)) {
            assertThat(d.units.failovers(u))
                .as(u + "'s failovers\n%s", d.describe())
                .isEqualTo(1);
            assertThat(v.outageMillis())
                .as(
                    u + "'s client-visible outage against its budget (failed writes %s)\n%s",
                    v.failuresByKind(),
                    d.describe())
                .isLessThanOrEqualTo(budgetMillis());
          } else {
            assertThat(d.units.failovers(u))
                .as(u + "'s failovers\n%s", d.describe())
                .isZero();
            // Issue 19: 0 failed writes. With make-before-break the taken pod stays their standby
            // while the new one catches up, and a primary holds writes while the lease renewal it
            // sends when that busy pod is heard late is in flight (LeaseRenewalHold; before, 1-2
            // writes refused "primary lease not renewed in time" in one run of three).
            assertThat(v.failed())
                .as(
                    u + "'s failed writes while another unit failed over: %s\n%s",
                    v.failureExamples(),
                    d.describe())
                .isZero();
            assertThat(v.outageMillis())
                .as(
                    u + "'s outage while another unit failed over (failed writes %s)\n%s",
                    v.failuresByKind(),
                    d.describe())
                .isLessThanOrEqualTo(budgetMillis());
          }
        }
      } catch (AssertionError | RuntimeException e) {
        Progress.log(d.describe());
        throw e;
      } finally {
        cluster.run("heal-node", deadNode);
      }
    }
  }

  @Test
  void theSharedStandbysNodeDiesAndEveryUnitCatchesUpOnANewOneWithoutPromotion() throws Exception {
    try (PoolDrill d = new PoolDrill(cluster, "poolstandby")) {
      String shared = d.createProtected();
      assertFourPodsOnFourNodes(d, shared);
      d.startLoads();
      Drill.pause(Duration.ofSeconds(2));
      String deadNode = d.units.nodeOf(shared);
      Progress.log("pool drill " + d.namespace + ": killing node " + deadNode
          + " of the shared standby " + shared);
      cluster.run("kill-node", deadNode);
      try {
        d.awaitWhole("a new shared standby after the old one's node died", shared);
        assertThat(d.units.nodeOf(d.sharedPod()))
            .as("the new shared standby's node")
            .isNotEqualTo(deadNode);
        Drill.pause(Duration.ofSeconds(2));
        Map<String, ClientVerdict> verdicts = d.finish();
        record(d, "kill-node of the shared standby", verdicts);
        for (String u : PoolDrill.UNITS) {
          ClientVerdict v = verdicts.get(u);
          assertThat(d.units.failovers(u)).as(u + " promoted\n%s", d.describe()).isZero();
          assertThat(v.acknowledged()).as(u + "'s acknowledged writes").isPositive();
          assertThat(v.lost())
              .as(u + "'s acknowledged writes lost: %s", v.lostExamples())
              .isZero();
          assertThat(v.splitBrain())
              .as(u + "'s split brain: %s", v.splitBrainExamples())
              .isZero();
          // Failed writes and the outage are printed, not held: a Synchronous primary with
          // dataDurability Required holds writes while it has no standby, as a dedicated unit whose
          // standby's node died does, until the new shared pod has caught up.
        }
      } catch (AssertionError | RuntimeException e) {
        Progress.log(d.describe());
        throw e;
      } finally {
        cluster.run("heal-node", deadNode);
      }
    }
  }

  private static long budgetMillis() {
    return Duration.parse("PT" + Drill.BUDGET.toUpperCase(java.util.Locale.ROOT))
        .toMillis();
  }

  /** 3 primaries and the shared standby: 4 pods, each on a node of its own. */
  private static void assertFourPodsOnFourNodes(PoolDrill d, String shared) {
    List<Pod> pods = d.livePods();
    assertThat(pods)
        .as("the pool's pods and the units' primaries\n%s", d.describe())
        .hasSize(4);
    assertThat(pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet()))
        .as("their nodes\n%s", d.describe())
        .hasSize(4);
    assertThat(d.poolPods()).extracting(p -> p.getMetadata().getName()).containsExactly(shared);
  }

  /**
   * The failed writes of the units that did not fail over, during the victim's takeover: issue 19 wants 0 (their
   * primaries stream to the taken pod and the new one at once: make-before-break), with what each failure said.
   */
  private static String othersFailedWrites(String victim, Map<String, ClientVerdict> verdicts) {
    return "pool failed writes of the other units during " + victim
        + "'s takeover (issue 19 wants 0): "
        + verdicts.entrySet().stream()
            .filter(e -> !e.getKey().equals(victim))
            .map(e -> e.getKey() + " " + e.getValue().failed() + " ("
                + e.getValue().failuresByKind() + ", outage " + e.getValue().outageMillis()
                + " ms from " + e.getValue().outageFromNanos() / 1_000_000 + " ms; "
                + e.getValue().failureExamples() + ")")
            .collect(Collectors.joining(", "));
  }

  private static void record(PoolDrill d, String fault, Map<String, ClientVerdict> verdicts) {
    verdicts.forEach(
        (u, v) -> figures.add("pool " + fault + ", " + u + ": acknowledged " + v.acknowledged()
            + ", lost " + v.lost() + ", outage " + v.outageMillis() + " ms, failed " + v.failed()
            + ", split brain "
            + v.splitBrain() + ", failovers " + d.units.failovers(u)));
  }
}
