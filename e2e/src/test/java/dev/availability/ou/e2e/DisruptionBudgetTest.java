package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Voluntary disruptions through the eviction API, as {@code kubectl drain} makes them: the unit's PodDisruptionBudget
 * refuses to evict the primary and lets the standby go; cordoning the primary's node moves the primary first, in a
 * planned switchover, after which the budget protects the new primary and the former one may go.
 */
class DisruptionBudgetTest extends EndToEndTest {

  @Test
  void evictingThePrimaryIsRefusedWhileTheStandbyMayBeEvictedAndIsReplacedWithoutAFailover() {
    String unit = "evict";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    awaitBudgetOn(unit, primary);

    boolean primaryEvicted =
        h.client.pods().inNamespace(h.namespace).withName(primary).evict();

    assertThat(primaryEvicted)
        .as("the eviction of primary " + primary + " (429: it would violate the disruption budget)")
        .isFalse();
    Pod p = h.client.pods().inNamespace(h.namespace).withName(primary).get();
    assertThat(p).isNotNull();
    assertThat(p.getMetadata().getDeletionTimestamp()).isNull();

    String evictedUid = h.client
        .pods()
        .inNamespace(h.namespace)
        .withName(standby)
        .get()
        .getMetadata()
        .getUid();
    boolean standbyEvicted =
        h.client.pods().inNamespace(h.namespace).withName(standby).evict();

    assertThat(standbyEvicted).as("the eviction of standby " + standby).isTrue();
    // A new pod: under a new name when the operator saw the evicted one terminating, under the same
    // name when it saw it gone (the unit's status still named it), so told apart by uid.
    await("a new standby, Protected again, no failover")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          String uid = h.units.standby(unit) == null ? null : uidOf(h.units.standby(unit));
          return uid != null
              && !uid.equals(evictedUid)
              && h.units.phase(unit) == UnitPhase.Protected
              && inSyncStandbyIs(unit, uid);
        });
    assertThat(h.units.primary(unit)).isEqualTo(primary);
    assertThat(h.units.failovers(unit)).isZero();
    h.units.delete(unit);
  }

  @Test
  void cordoningThePrimarysNodeSwitchesOverFirstAndTheBudgetFollowsTheNewPrimary() {
    String unit = "cordon";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    String node = h.units.nodeOf(primary);
    awaitBudgetOn(unit, primary);
    try {
      cordon(node, true);

      await("switched over to " + standby)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> standby.equals(h.units.primary(unit))
              && h.units.get(unit).getStatus().getFailover() == null);
      FailoverRecord last = h.units.get(unit).getStatus().getLastFailover();
      assertThat(last.getReason()).isEqualTo("NodeMaintenance");
      assertThat(last.getPlanned()).isTrue();
      assertThat(last.getMessage())
          .contains("node " + node + " of primary " + primary + " is cordoned");
      assertThat(h.units.failovers(unit))
          .as("a planned switchover, not a failover")
          .isZero();
      awaitBudgetOn(unit, standby);
      await("Protected again")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> h.units.phase(unit) == UnitPhase.Protected
              && h.units.nodeOf(h.units.standby(unit)) != null);
      assertThat(h.units.nodeOf(h.units.standby(unit)))
          .as("no new standby on the cordoned node")
          .isNotEqualTo(node);
      assertThat(h.client.pods().inNamespace(h.namespace).withName(standby).evict())
          .as("the new primary is protected")
          .isFalse();
      assertThat(h.units.eventReasons(unit))
          .contains("SwitchoverStarted", "SwitchoverCompleted")
          .doesNotContain("FailoverStarted");
    } finally {
      cordon(node, false);
    }
    h.units.delete(unit);
  }

  /** The status says the standby is in sync, and the standby it names is still the pod with that uid. */
  private static boolean inSyncStandbyIs(String unit, String uid) {
    var sb = h.units.get(unit).getStatus().getStandby();
    return sb != null && Boolean.TRUE.equals(sb.getInSync()) && uid.equals(uidOf(sb.getPod()));
  }

  private static String uidOf(String pod) {
    Pod p = h.client.pods().inNamespace(h.namespace).withName(pod).get();
    return p == null ? null : p.getMetadata().getUid();
  }

  /** Waits until the budget selects {@code primary} alone and the disruption controller has processed it. */
  private static void awaitBudgetOn(String unit, String primary) {
    await("PodDisruptionBudget " + unit + " on " + primary)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          PodDisruptionBudget pdb = h.client
              .policy()
              .v1()
              .podDisruptionBudget()
              .inNamespace(h.namespace)
              .withName(unit)
              .get();
          return pdb != null
              && pdb.getSpec()
                  .getSelector()
                  .getMatchLabels()
                  .equals(Map.of(ContractKeys.UNIT_LABEL, unit, ContractKeys.MEMBER_LABEL, primary))
              && pdb.getStatus() != null
              && pdb.getMetadata().getGeneration().equals(pdb.getStatus().getObservedGeneration())
              && pdb.getStatus().getExpectedPods() == 1;
        });
  }

  private static void cordon(String node, boolean unschedulable) {
    h.client.nodes().withName(node).edit(n -> {
      n.getSpec().setUnschedulable(unschedulable ? Boolean.TRUE : null);
      return n;
    });
  }
}
