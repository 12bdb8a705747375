package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl drain} of the primary's node, with the real kubectl (its eviction API calls and retries) on the local
 * control plane whose pods really run, under a client's load: the operator sees the node cordoned and switches over
 * to the in-sync standby first, the drain's eviction of the primary is refused by the unit's PodDisruptionBudget until
 * then, and the drain completes with a planned switchover, no failover, nothing lost.
 */
@Tag("cluster")
class DrainDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-drain-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
    kubectl = new Kubectl(cluster);
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
  }

  @Test
  void drainingThePrimarysNodeSwitchesOverFirstAndTheDrainCompletesWithoutAFailoverOrALoss()
      throws Exception {
    try (Drill d = new Drill(cluster, "drain")) {
      d.createProtected();
      String primary = d.primary();
      String standby = d.units.standby(Drill.UNIT);
      String node = d.primaryNode();
      int failoversBefore = d.units.failovers(Drill.UNIT);
      long epochBefore = d.units.get(Drill.UNIT).getStatus().getEpoch();
      java.util.List<String> eventsBefore = d.units.eventReasons(Drill.UNIT);
      awaitBudgetOn(d, primary);
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));

      Kubectl.Result drain;
      try {
        drain = kubectl.run(
            "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s");
        Progress.log("kubectl drain " + node + " (" + drain.took().toMillis() + " ms, exit "
            + drain.exitCode() + "):\n" + drain.output().strip());
        assertThat(drain.exitCode())
            .as("kubectl drain's exit code; its output:%n%s", drain.output())
            .isZero();
        assertThat(drain.output()).contains("node/" + node + " drained");
        assertThat(d.units.memberPods(Drill.UNIT))
            .as("no member left on the drained node")
            .noneMatch(p -> node.equals(d.units.nodeOf(p)));
        d.awaitProtected("after the drain", 0);
      } finally {
        kubectl.run("uncordon", node);
      }
      Drill.pauseQuietly(
          Duration.ofSeconds(2)); // writes after the switch, so the outage has an end
      ClientVerdict v = d.finish();

      OperationalUnitStatus status = d.units.get(Drill.UNIT).getStatus();
      FailoverRecord last = status.getLastFailover();
      Progress.log("drain drill: acknowledged " + v.acknowledged() + ", lost " + v.lost()
          + ", outage " + v.outageMillis() + " ms, failed " + v.failed()
          + "; " + last.getReason() + " from " + last.getFormerPrimary() + " to "
          + last.getNewPrimary() + ", traffic moved in "
          + last.getTrafficSwitchedMillis() + " ms");
      assertThat(status.getFailovers() - failoversBefore).as("failovers").isZero();
      assertThat(last.getPlanned()).as("the move was a planned switchover").isTrue();
      assertThat(last.getReason()).isEqualTo("NodeMaintenance");
      assertThat(last.getFormerPrimary()).isEqualTo(primary);
      assertThat(last.getNewPrimary()).isEqualTo(standby);
      assertThat(last.getUpdatesLost()).isZero();
      // Only what happened since the drain began: a slow start may have failed the new unit over
      // before it.
      assertThat(status.getHistory())
          .as(
              "status.history since the drain holds this one switchover and no failover: %s",
              status.getHistory())
          .filteredOn(r -> r.getEpoch() != null && r.getEpoch() > epochBefore)
          .allMatch(r -> "NodeMaintenance".equals(r.getReason())
              && r.getKind() != FailoverRecord.Kind.Failover);
      java.util.List<String> eventsAfter = d.units.eventReasons(Drill.UNIT);
      assertThat(count(eventsAfter, "SwitchoverStarted") - count(eventsBefore, "SwitchoverStarted"))
          .as("switchovers started during the drain")
          .isEqualTo(1);
      assertThat(count(eventsAfter, "FailoverStarted") - count(eventsBefore, "FailoverStarted"))
          .as("failovers started during the drain")
          .isZero();
      assertThat(v.acknowledged()).isPositive();
      assertThat(v.lost()).as("acknowledged writes lost: %s", v.lostExamples()).isZero();
      assertThat(v.splitBrain())
          .as("writes acknowledged at an older epoch after a newer one: %s", v.splitBrainExamples())
          .isZero();
      assertThat(v.outageMillis())
          .as("the client's outage against the unit's response-time budget")
          .isLessThanOrEqualTo(d.budgetMillis());
      assertThat(d.units.nodeOf(d.units.standby(Drill.UNIT)))
          .as("the new standby is not on the drained node")
          .isNotEqualTo(node);
    }
  }

  private static long count(java.util.List<String> reasons, String reason) {
    return reasons.stream().filter(reason::equals).count();
  }

  /** Waits until the unit's budget selects {@code primary} alone and the disruption controller has processed it. */
  private static void awaitBudgetOn(Drill d, String primary) {
    await("PodDisruptionBudget on " + primary)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          PodDisruptionBudget pdb = cluster
              .client
              .policy()
              .v1()
              .podDisruptionBudget()
              .inNamespace(d.namespace)
              .withName(Drill.UNIT)
              .get();
          return pdb != null
              && Map.of(ContractKeys.UNIT_LABEL, Drill.UNIT, ContractKeys.MEMBER_LABEL, primary)
                  .equals(pdb.getSpec().getSelector().getMatchLabels())
              && pdb.getStatus() != null
              && pdb.getMetadata().getGeneration().equals(pdb.getStatus().getObservedGeneration())
              && Integer.valueOf(0).equals(pdb.getStatus().getDisruptionsAllowed());
        });
  }
}
