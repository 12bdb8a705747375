package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Failures that must not lead to a promotion, or only to a narrower repair, and double failures. */
class FailureEdgeCasesTest extends EndToEndTest {

  @Test
  void aFailedStandbyAloneIsReplacedWithoutPromotion() {
    String unit = "edge-standby";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    faults.setContainerTerminated(h.namespace, standby, "kvstore", 1);

    await("a new standby replaces " + standby)
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.standby(unit) != null
            && !standby.equals(h.units.standby(unit))
            && h.units.phase(unit) == UnitPhase.Protected);
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.get(unit).getStatus().getEpoch()).isEqualTo(1L);
    // Awaited: the EndpointSlice controller fills a new unit's Service in its own time, and the
    // replacement can be over within a second of the unit's creation (CI saw no endpoint yet).
    await("the Service leads to the primary")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.units.endpointPods(unit).equals(java.util.Set.of(primary)));
    assertThat(h.units.eventReasons(unit))
        .contains("StandbyReplaced")
        .doesNotContain("FailoverStarted");
    h.units.delete(unit);
  }

  @Test
  void aLeaseEpochThatIsNotANumberIsReportedAndRewrittenInsteadOfFailingEveryReconcile() {
    String unit = "edge-bad-lease";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String lease = ContractKeys.primaryLeaseName(unit);
    h.client.leases().inNamespace(h.namespace).withName(lease).edit(l -> {
      l.getMetadata().getAnnotations().put(ContractKeys.LEASE_EPOCH_ANNOTATION, "three");
      return l;
    });

    await("MalformedValue warning recorded")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.eventReasons(unit).contains("MalformedValue"));
    var warning = h
        .client
        .v1()
        .events()
        .inNamespace(h.namespace)
        .withField("involvedObject.name", unit)
        .list()
        .getItems()
        .stream()
        .filter(e -> "MalformedValue".equals(e.getReason()))
        .findFirst()
        .orElseThrow();
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage()).contains("Lease " + lease).contains("'three'");
    await("the Lease rewritten at the unit's epoch, renewed, the unit Protected")
        .atMost(Duration.ofSeconds(60))
        .until(() -> {
          var l = h.client.leases().inNamespace(h.namespace).withName(lease).get();
          String epoch = String.valueOf(h.units.get(unit).getStatus().getEpoch());
          return epoch.equals(
                  l.getMetadata().getAnnotations().get(ContractKeys.LEASE_EPOCH_ANNOTATION))
              && h.units.phase(unit) == UnitPhase.Protected
              && h.leaseRenewedBy(unit, h.units.primary(unit));
        });
    Condition malformed = h.units.get(unit).getStatus().getConditions().stream()
        .filter(c -> "MalformedValues".equals(c.getType()))
        .findFirst()
        .orElseThrow();
    assertThat(malformed.getStatus())
        .as("cleared once the operator rewrote the Lease")
        .isEqualTo("False");
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(h.units.failovers(unit)).isZero();
    h.units.delete(unit);
  }

  @Test
  void flappingReadinessDoesNotPingPong() throws InterruptedException {
    String unit = "edge-flap";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    // Unready for 250 ms, ready for 250 ms, for 4 s: always shorter than the readiness grace (0.2
    // T_r = 1 s).
    Instant until = Instant.now().plusSeconds(4);
    while (Instant.now().isBefore(until)) {
      faults.setPodReady(h.namespace, primary, false);
      Thread.sleep(250);
      faults.setPodReady(h.namespace, primary, true);
      Thread.sleep(250);
    }
    Thread.sleep(1500);
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(h.units.endpointPods(unit)).containsExactly(primary);
    h.units.delete(unit);
  }

  @Test
  void aPartitionWhereThePrimaryStillLooksHealthyDoesNotPromote() throws InterruptedException {
    String unit = "edge-partition";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    h.doubles
        .of(standby)
        .reportPeerLost(true); // the standby cannot hear the primary; the API server still can

    await("unit " + unit + " Unprotected")
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.phase(unit) == UnitPhase.Unprotected);
    Thread.sleep(5000); // a whole recovery budget: a crash would have failed over by now
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(condition(unit, "Protected").getReason()).isEqualTo("PeerUnreachable");
    assertThat(h.units.eventReasons(unit))
        .contains("PeerUnreachable")
        .doesNotContain("FailoverStarted");

    h.doubles.of(standby).reportPeerLost(false);
    await("unit " + unit + " Protected again once the partition heals")
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.phase(unit) == UnitPhase.Protected);
    h.units.delete(unit);
  }

  @Test
  void bothNodesFailingDegradesWithoutPromotion() {
    String unit = "edge-both";
    h.createProtected(unit);
    String primaryNode = h.units.nodeOf(h.units.primary(unit));
    String standbyNode = h.units.nodeOf(h.units.standby(unit));
    try {
      faults.failNode(standbyNode);
      faults.failNode(primaryNode);
      // One reading of the status: the phase and its conditions as the operator wrote them
      // together.
      java.util.concurrent.atomic.AtomicReference<OperationalUnit> seen =
          new java.util.concurrent.atomic.AtomicReference<>();
      await("unit " + unit + " Degraded").atMost(Duration.ofSeconds(60)).until(() -> {
        seen.set(h.units.get(unit));
        return seen.get().getStatus() != null
            && seen.get().getStatus().getPhase() == UnitPhase.Degraded;
      });
      assertThat(java.util.Objects.requireNonNullElse(seen.get().getStatus().getFailovers(), 0))
          .isZero();
      Condition degraded = seen.get().getStatus().getConditions().stream()
          .filter(c -> "Degraded".equals(c.getType()))
          .findFirst()
          .orElseThrow();
      assertThat(degraded.getStatus()).isEqualTo("True");
      // MembersUnreachable: both nodes' leases stale, before the node controller's NotReady.
      assertThat(degraded.getReason())
          .isIn("MembersUnreachable", "NoHealthyStandby", "FailoverTargetLost");
      assertThat(h.units.eventReasons(unit)).doesNotContain("StandbyPromoted");
    } finally {
      faults.healNode(primaryNode);
      faults.healNode(standbyNode);
    }
    h.units.delete(unit);
  }

  @Test
  void synchronousModeNeverPromotesAStaleStandby() throws InterruptedException {
    String unit = "edge-stale";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    h.doubles.of(standby).lagBehind(25);
    await("standby reported out of sync")
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.phase(unit) == UnitPhase.Synchronizing);
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);

    await("unit " + unit + " Degraded")
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.phase(unit) == UnitPhase.Degraded);
    Thread.sleep(2000);
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(condition(unit, "Degraded").getReason()).isEqualTo("NoInSyncStandby");
    assertThat(condition(unit, "Degraded").getMessage()).contains("never promotes a stale standby");
    h.units.delete(unit);
  }

  @Test
  void asynchronousModePromotesWithinMaxPromotableLagAndCountsTheLoss() {
    String unit = "edge-async";
    OperationalUnit u = Units.sample(h.repoRoot, unit, UnitHarness.BUDGET);
    u.getSpec().getReplication().setMode(ReplicationMode.Asynchronous);
    u.getSpec().getReplication().setMaxPromotableLag(100L);
    h.units.create(u);
    h.awaitProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    h.doubles.of(standby).lagBehind(7);
    await("standby " + standby + " reported 7 updates behind")
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            Long.valueOf(7).equals(h.units.get(unit).getStatus().getStandby().getLag())
                && h.units.phase(unit) == UnitPhase.Synchronizing);
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);

    await("endpoints on " + standby)
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    await().atMost(Duration.ofSeconds(10)).until(() -> h.units.failovers(unit) == 1);
    assertThat(h.units.get(unit).getStatus().getLastFailover().getUpdatesLost()).isEqualTo(7L);
    h.units.delete(unit);
  }

  @Test
  void automaticFalseDetectsAndReportsButDoesNotPromote() throws InterruptedException {
    String unit = "edge-manual";
    OperationalUnit u = Units.sample(h.repoRoot, unit, UnitHarness.BUDGET);
    u.getSpec().getFailover().setAutomatic(false);
    h.units.create(u);
    h.awaitProtected(unit);
    String primary = h.units.primary(unit);
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);

    await("unit " + unit + " Degraded")
        .atMost(Duration.ofSeconds(20))
        .until(() -> h.units.phase(unit) == UnitPhase.Degraded);
    Thread.sleep(2000);
    assertThat(h.units.failovers(unit)).isZero();
    assertThat(h.units.endpointPods(unit)).containsExactly(primary);
    assertThat(condition(unit, "Degraded").getReason()).isEqualTo("AutomaticFailoverDisabled");
    assertThat(h.units.eventReasons(unit)).contains("PrimaryFailed");
    h.units.delete(unit);
  }

  @Test
  void aSidecarWhoseStateOutgrowsItsHeapIsShownInTheStatusAndAnEvent() {
    String unit = "edge-heap";
    h.createProtected(unit);
    String standby = h.units.standby(unit);
    assertThat(condition(unit, "SidecarMemoryPressure").getStatus()).isEqualTo("False");
    h.doubles.of(standby).reportMemory(30L << 20, 64L << 20, true);

    await("unit " + unit + " reports memory pressure")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "True".equals(condition(unit, "SidecarMemoryPressure").getStatus()));
    Condition c = condition(unit, "SidecarMemoryPressure");
    assertThat(c.getReason()).isEqualTo("StateOutgrowsHeap");
    assertThat(c.getMessage())
        .contains(
            standby + " holds 30 MiB of state in a 64 MiB heap",
            "spec.replication.stateMemory to 38Mi");
    await("a SidecarMemoryPressure event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units.eventReasons(unit).contains("SidecarMemoryPressure"));
    assertThat(h.units.phase(unit))
        .isEqualTo(UnitPhase.Protected); // a warning: nothing fails over for it

    h.doubles.of(standby).reportMemory(10L << 20, 64L << 20, false);
    await("the condition clears")
        .atMost(Duration.ofSeconds(20))
        .until(() -> "False".equals(condition(unit, "SidecarMemoryPressure").getStatus()));
    h.units.delete(unit);
  }

  private static Condition condition(String unit, String type) {
    return h.units.get(unit).getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
