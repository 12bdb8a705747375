package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.UnitPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * For each kind of fault of the primary: the Service's EndpointSlice moves to the standby, a new standby
 * appears on another node, the unit shows one failover and is Protected again, and the events tell the story.
 */
class FailoverTest extends EndToEndTest {

  @Test
  void appContainerInCrashLoopFailsOver() {
    failsOver(
        "fo-crash",
        (primary, standby) -> faults.setContainerCrashLoopBackOff(h.namespace, primary, "kvstore"),
        "AppCrashed");
  }

  /**
   * Only the application crashed and the kubelet restarts it: the former primary's pod stays, and its sidecar becomes
   * the new primary's standby (no new pod, no snapshot).
   */
  @Test
  void anAppContainerCrashKeepsTheFormerPrimaryAsTheStandby() {
    String unit = "fo-keep";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);
    await("endpoints of " + unit + " on the standby " + standby)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    faults.setContainerRunning(h.namespace, primary, "kvstore"); // the kubelet starts it again
    await("unit " + unit + " Protected again with its former primary as the standby")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.units.failovers(unit) == 1
            && h.units.phase(unit) == UnitPhase.Protected
            && primary.equals(h.units.standby(unit)));
    var status = h.units.get(unit).getStatus();
    assertThat(status.getPrimary().getPod()).isEqualTo(standby);
    assertThat(status.getEpoch()).isEqualTo(2L);
    assertThat(status.getLastFailover().getReason()).isEqualTo("AppCrashed");
    assertThat(status.getLastFailover().getUpdatesLost()).isZero();
    assertThat(h.units.memberPods(unit)).containsExactlyInAnyOrder(primary, standby);
    assertThat(h.units.eventReasons(unit))
        .contains("FormerPrimaryKept")
        .doesNotContain("FormerPrimaryDeleted", "StandbyScheduled");
    h.units.delete(unit);
  }

  @Test
  void readinessFailureFailsOver() {
    failsOver(
        "fo-unready",
        (primary, standby) -> {
          // A primary unready within START_SLACK (2 s) of its application's start has not been
          // Ready since: it counts as starting and gets the startup allowance (30 s). The doubles
          // are Protected within that slack, so the fault waits until the pod has clearly been up.
          sleepUntilRunningFor(primary, Duration.ofSeconds(3));
          faults.setPodReady(h.namespace, primary, false);
        },
        "Unready");
  }

  private void sleepUntilRunningFor(String pod, Duration age) {
    var p = h.client.pods().inNamespace(h.namespace).withName(pod).get();
    Instant started = p.getStatus().getContainerStatuses().stream()
        .map(cs -> cs.getState() == null || cs.getState().getRunning() == null
            ? null
            : cs.getState().getRunning().getStartedAt())
        .filter(java.util.Objects::nonNull)
        .map(Instant::parse)
        .min(Instant::compareTo)
        .orElse(Instant.now());
    long wait = Duration.between(Instant.now(), started.plus(age)).toMillis();
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void podDeletionFailsOver() {
    failsOver(
        "fo-delete",
        (primary, standby) -> faults.deletePod(h.namespace, primary),
        "PodDeleting",
        "PodGone");
  }

  @Test
  void nodeFailureFailsOverBeforeKubernetesEvicts() {
    String[] node = new String[1];
    try {
      failsOver(
          "fo-node",
          (primary, standby) -> {
            node[0] = h.units.nodeOf(primary);
            faults.failNode(node[0]);
          },
          "LeaseExpired",
          "NodeNotReady");
    } finally {
      if (node[0] != null) faults.healNode(node[0]);
    }
  }

  @Test
  void lostPrimaryReportedByTheStandbyFailsOver() {
    failsOver(
        "fo-lost",
        (primary, standby) -> {
          h.doubles.of(primary).freeze();
          h.doubles.of(standby).reportPeerLost(true);
        },
        "LeaseExpired",
        "LeaseOverdue",
        "PeerLost");
  }

  interface Fault {
    void inject(String primary, String standby);
  }

  private void failsOver(String unit, Fault fault, String... expectedReasons) {
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    Instant t0 = Instant.now();
    fault.inject(primary, standby);

    await("endpoints of " + unit + " on the standby " + standby)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    Duration switched = Duration.between(t0, Instant.now());
    await("unit " + unit + " Protected again with one failover")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.units.failovers(unit) == 1
            && h.units.phase(unit) == UnitPhase.Protected
            && h.units.standby(unit) != null
            && h.units.nodeOf(h.units.standby(unit)) != null);

    var status = h.units.get(unit).getStatus();
    assertThat(status.getPrimary().getPod()).isEqualTo(standby);
    String newStandby = status.getStandby().getPod();
    assertThat(newStandby).isNotIn(primary, standby);
    assertThat(h.units.nodeOf(newStandby)).isNotEqualTo(h.units.nodeOf(standby));
    assertThat(status.getEpoch()).isEqualTo(2L);
    FailoverRecord last = status.getLastFailover();
    assertThat(last.getReason()).isIn((Object[]) expectedReasons);
    assertThat(last.getFormerPrimary()).isEqualTo(primary);
    assertThat(last.getNewPrimary()).isEqualTo(standby);
    assertThat(last.getUpdatesLost()).isZero();
    assertThat(last.getDetectionMillis()).isNotNull();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.units
                .eventReasons(unit)
                .containsAll(java.util.List.of(
                    "MembersCreated",
                    "FailoverStarted",
                    "PrimaryFenced",
                    "StandbyPromoted",
                    "TrafficSwitched",
                    "FailoverCompleted"))
            // a new standby, or (a deleted primary still there at the switch) the departing former
            // primary's successor
            && (h.units.eventReasons(unit).contains("StandbyScheduled")
                || h.units.eventReasons(unit).contains("FormerPrimaryDeparting")));
    h.units.delete(unit); // keep the shared cluster light for the next test
    System.out.printf(
        "[failover] %s: fault -> endpoints on standby %d ms (status: detection %s ms, promotion %s ms, traffic switched %s ms, within budget %s)%n",
        unit,
        switched.toMillis(),
        last.getDetectionMillis(),
        last.getPromotionMillis(),
        last.getTrafficSwitchedMillis(),
        last.getWithinRecoveryBudget());
  }
}
