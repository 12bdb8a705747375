package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.DataDurability;
import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full system under each fault a machine has: the operator (a process, as users run it outside the cluster)
 * on the local control plane, members whose sidecar and sample app really run (the process kubelet), a client
 * writing through the Service. For a Synchronous unit each drill asserts what the client saw — no acknowledged
 * write lost, no write acknowledged at an epoch older than one already acknowledged — and that the unit is
 * Protected again with its standby on another node. For a fault the budget covers (one failure of the
 * primary) the client's outage stays within the unit's response-time budget and the unit's own record says the
 * traffic moved within its recovery budget. Outage figures: bench/failover and bench/drill.
 */
@Tag("cluster")
class FaultDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    figures.forEach(f -> Progress.log("drill figures: " + f));
  }

  /** Creates a Protected unit, starts the client, gives it {@code fault}, awaits recovery, and checks what the client saw. */
  private static void drill(String name, FaultKind fault, Duration hold) throws Exception {
    drill(name, fault, hold, DataDurability.Required);
  }

  private static void drill(String name, FaultKind fault, Duration hold, DataDurability durability)
      throws Exception {
    try (Drill d = new Drill(cluster, name).durability(durability)) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      String former = d.primary();
      d.suffer(fault, operator, hold);
      verify(d, fault);
      if (fault == FaultKind.CONTAINER_CRASH)
        assertThat(d.units.standby(Drill.UNIT))
            .as(
                "the former primary, whose application alone crashed, is the standby; the unit's"
                    + " events: %s",
                d.story())
            .isEqualTo(former);
    }
  }

  @Test
  void theAppContainerCrashes() throws Exception {
    drill("crash", FaultKind.CONTAINER_CRASH, Duration.ZERO);
  }

  @Test
  void thePrimaryPodIsDeleted() throws Exception {
    drill("delete", FaultKind.POD_DELETE, Duration.ZERO);
  }

  @Test
  void thePrimarysNodeDies() throws Exception {
    drill("nodekill", FaultKind.NODE_KILL, Duration.ZERO);
  }

  /** The former primary comes back when healed: it must not acknowledge anything at its old epoch. */
  @Test
  void thePrimarysNodeIsPartitioned() throws Exception {
    drill("partition", FaultKind.PARTITION, Duration.ZERO);
  }

  @Test
  void theOperatorIsKilledInTheMiddleOfAFailover() throws Exception {
    drill("opkill", FaultKind.OPERATOR_KILLED_MID_FAILOVER, Duration.ZERO);
  }

  /**
   * dataDurability Preferred: the promoted primary acknowledges alone until its new standby's session starts.
   * One failure still loses nothing acknowledged.
   */
  @Test
  void aUnitThatPrefersDurabilityLosesNothingWhenItsPrimarysNodeDies() throws Exception {
    drill("preferred", FaultKind.NODE_KILL, Duration.ZERO, DataDurability.Preferred);
  }

  /**
   * The failsafe: a Synchronous primary whose lease cannot be renewed only because the API server is down serves on
   * while its standby at the same epoch confirms every write, and nothing fails over when the API server returns
   * (the operator does not count renewals it could not see as missed). Failover still works afterwards: the unit's
   * record says traffic moved within the recovery budget and nothing is lost. The client's outage after that crash is
   * printed, not held to the budget: a Required unit's new primary waits for a new standby, and for a while after an
   * API server outage the cluster is slow to start one (the scheduler's and kubelets' watches back off; seen: 55 s).
   */
  @Test
  void theApiServerIsDownFor30SecondsAndTheUnitServesOnThenStillFailsOver() throws Exception {
    try (Drill d = new Drill(cluster, "apidown")) {
      d.createProtected();
      d.startLoad();
      int failoversBefore = d.units.failovers(Drill.UNIT);
      Drill.pause(Duration.ofSeconds(2));
      d.suffer(FaultKind.API_SERVER_DOWN, operator, Duration.ofSeconds(30));
      Drill.pauseQuietly(Duration.ofSeconds(2));
      ClientVerdict blink = d.finish();
      figures.add("api-server-down 30 s: acknowledged " + blink.acknowledged() + ", lost "
          + blink.lost() + ", outage " + blink.outageMillis() + " ms, failed " + blink.failed()
          + ", failovers " + (d.units.failovers(Drill.UNIT) - failoversBefore));
      assertThat(blink.lost())
          .as("acknowledged writes lost: %s", blink.lostExamples())
          .isZero();
      assertThat(blink.splitBrain())
          .as("split brain: %s", blink.splitBrainExamples())
          .isZero();
      assertThat(d.units.failovers(Drill.UNIT) - failoversBefore)
          .as("failovers caused by the API server's absence")
          .isZero();
      assertThat(blink.outageMillis())
          .as(
              "the client's outage while the API server was down (failed writes: %s)",
              blink.failuresByKind())
          .isLessThanOrEqualTo(SIDECAR_SYNC_TIMEOUT_MILLIS);

      long epochBefore = d.units.get(Drill.UNIT).getStatus().getEpoch();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      d.suffer(FaultKind.CONTAINER_CRASH, operator, Duration.ZERO);
      Drill.pauseQuietly(Duration.ofSeconds(2));
      ClientVerdict after = d.finish();
      figures.add("container-crash after the API server's outage: acknowledged "
          + after.acknowledged() + ", lost " + after.lost() + ", outage " + after.outageMillis()
          + " ms, failed " + after.failed());
      assertThat(after.lost())
          .as("acknowledged writes lost: %s", after.lostExamples())
          .isZero();
      assertThat(after.splitBrain())
          .as("split brain: %s", after.splitBrainExamples())
          .isZero();
      FailoverRecord last = d.units.get(Drill.UNIT).getStatus().getLastFailover();
      assertThat(last.getPlanned())
          .as("a failover, not a planned switchover")
          .isNotEqualTo(Boolean.TRUE);
      assertThat(last.getEpoch())
          .as("the epoch of the failover after the outage")
          .isGreaterThan(epochBefore);
      assertThat(last.getWithinRecoveryBudget())
          .as(
              "traffic moved within the recovery budget: detection %s ms, promotion %s ms, traffic %s ms",
              last.getDetectionMillis(), last.getPromotionMillis(), last.getTrafficSwitchedMillis())
          .isTrue();
    }
  }

  /** The sidecar's OU_SYNC_TIMEOUT default: how long a Synchronous write may wait for its standby. */
  private static final long SIDECAR_SYNC_TIMEOUT_MILLIS = 10_000;

  private static void verify(Drill d, FaultKind fault) {
    Drill.pauseQuietly(Duration.ofSeconds(2)); // writes after recovery, so the outage has an end
    ClientVerdict v = d.finish();
    figures.add(
        fault.label + ": acknowledged " + v.acknowledged() + ", lost " + v.lost() + ", outage "
            + v.outageMillis() + " ms, failed " + v.failed() + ", split brain " + v.splitBrain());
    assertThat(v.acknowledged()).as("writes acknowledged").isPositive();
    assertThat(v.lost())
        .as("acknowledged writes lost (Synchronous): %s", v.lostExamples())
        .isZero();
    assertThat(v.splitBrain())
        .as("writes acknowledged at an older epoch after a newer one: %s", v.splitBrainExamples())
        .isZero();
    if (!fault.coveredByBudget) return;
    assertThat(v.outageMillis())
        .as("the client's outage against the unit's response-time budget")
        .isLessThanOrEqualTo(d.budgetMillis());
    FailoverRecord last = d.units.get(Drill.UNIT).getStatus().getLastFailover();
    assertThat(last).as("the unit's record of its failover").isNotNull();
    assertThat(last.getWithinRecoveryBudget())
        .as("traffic moved within the recovery budget: %s ms", last.getTrafficSwitchedMillis())
        .isTrue();
  }
}
