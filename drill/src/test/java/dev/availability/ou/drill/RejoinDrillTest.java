package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.DataDurability;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StorageSpec;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A member lost with its node rejoins when the node comes back, with real pods and the client: the primary's node is
 * killed, the standby takes over, the former primary's node is healed, and the former primary is the standby again,
 * caught up from its own log (its claim, on that node) without a snapshot — read on each sidecar's {@code /status}.
 *
 * <p>The unit is pinned to two nodes, as units on dedicated nodes are: there the fresh standby the operator schedules at
 * once has nowhere to go, and the former member's return is what protects the unit again. On a third node the fresh
 * standby would be in sync within seconds, long before a machine reboots, and the operator keeps it (protection first;
 * {@code MemberRejoinTest} covers both). dataDurability Preferred: the new primary acknowledges alone meanwhile, so the
 * writes of that time are what the former member catches up on.
 */
@Tag("cluster")
class RejoinDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static String storageClass;

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-rejoin-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
    // No provisioner on the local control plane: static volumes of a class of this test's own. The
    // process kubelet keeps a claim's data in its node's directory, as a local volume: it outlives
    // the pod on that node.
    storageClass = "ou-rejoin-" + Long.toString(System.nanoTime() % 100000, 36);
    cluster
        .client
        .storage()
        .v1()
        .storageClasses()
        .resource(new StorageClassBuilder()
            .withNewMetadata()
            .withName(storageClass)
            .endMetadata()
            .withProvisioner("kubernetes.io/no-provisioner")
            .withVolumeBindingMode("Immediate")
            .withReclaimPolicy("Retain")
            .build())
        .create();
    for (int i = 0; i < 4; i++) {
      cluster
          .client
          .persistentVolumes()
          .resource(new PersistentVolumeBuilder()
              .withNewMetadata()
              .withName(storageClass + "-" + i)
              .endMetadata()
              .withNewSpec()
              .withStorageClassName(storageClass)
              .withCapacity(Map.of("storage", new Quantity("1Gi")))
              .withAccessModes("ReadWriteOnce")
              .withPersistentVolumeReclaimPolicy("Retain")
              .withNewHostPath()
              .withPath("/tmp/" + storageClass + "/" + i)
              .endHostPath()
              .endSpec()
              .build())
          .create();
    }
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    if (storageClass != null) {
      for (int i = 0; i < 4; i++)
        cluster.client.persistentVolumes().withName(storageClass + "-" + i).delete();
      cluster.client.storage().v1().storageClasses().withName(storageClass).delete();
    }
  }

  @Test
  void theFormerPrimaryWhoseNodeComesBackRejoinsAsStandbyFromItsOwnLogWithoutASnapshot()
      throws Exception {
    List<String> twoNodes = cluster
        .client
        .nodes()
        .withLabel("testenv.ou.availability.dev/process-kubelet", "true")
        .list()
        .getItems()
        .stream()
        .map(n -> n.getMetadata().getName())
        .sorted()
        .toList()
        .subList(2, 4);
    try (Drill d = new Drill(cluster, "rejoin").durability(DataDurability.Preferred)) {
      d.createProtected(u -> pinnedWithStorage(u, twoNodes));
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      String former = d.primary();
      String standby = d.units.standby(Drill.UNIT);
      String node = d.primaryNode();
      SidecarStatus formerBefore = SidecarStatus.of(cluster.client, d.namespace, former);
      SidecarStatus standbyBefore = SidecarStatus.of(cluster.client, d.namespace, standby);
      int failoversBefore = d.units.failovers(Drill.UNIT);

      try {
        cluster.run("kill-node", node);
        await("failed over to " + standby + ", the former primary kept")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> standby.equals(d.primary())
                && d.units.get(Drill.UNIT).getStatus().getFailover() == null);
        assertThat(d.units.memberPods(Drill.UNIT))
            .as("the former primary's pod is kept, not deleted")
            .contains(former);
        Drill.pause(Duration.ofSeconds(
            5)); // the new primary acknowledges alone meanwhile: what the former one will catch up
        // on
        assertThat(d.units.memberPods(Drill.UNIT)).contains(former);
      } finally {
        cluster.run("heal-node", node);
      }
      await("the former primary " + former + " back as the standby, Protected")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> former.equals(d.units.standby(Drill.UNIT))
              && d.units.phase(Drill.UNIT) == UnitPhase.Protected);
      Drill.pauseQuietly(Duration.ofSeconds(2));
      ClientVerdict v = d.finish();

      SidecarStatus rejoined = SidecarStatus.of(cluster.client, d.namespace, former);
      SidecarStatus primary = SidecarStatus.of(cluster.client, d.namespace, standby);
      long formerDurable = formerBefore.number("durableSeq");
      Progress.log("rejoin drill: " + former + " held " + formerDurable
          + " when its node died; the new primary streamed to it from "
          + primary.counter("lastCatchUpFromSeq") + " (catch-ups from the log "
          + primary.counter("catchUpsFromLog") + ", snapshots sent "
          + primary.counter("snapshotsSent") + "); it installed "
          + rejoined.counter("snapshotsInstalled") + " snapshots, cut "
          + rejoined.counter("tailRecordsCut") + " records; client: acknowledged "
          + v.acknowledged() + ", lost " + v.lost() + ", outage "
          + v.outageMillis() + " ms");
      assertThat(rejoined.text("role")).isEqualTo("STANDBY");
      assertThat(rejoined.counter("snapshotsInstalled"))
          .as("snapshots installed by the member that came back")
          .isEqualTo(formerBefore.counter("snapshotsInstalled"));
      assertThat(rejoined.counter("sessionsStarted.SNAPSHOT")).isZero();
      assertThat(rejoined.counter("sessionsStarted.STREAM")).isPositive();
      assertThat(primary.counter("snapshotsSent"))
          .as("snapshots the new primary sent")
          .isEqualTo(standbyBefore.counter("snapshotsSent"));
      assertThat(primary.counter("catchUpsFromLog")).isPositive();
      // It held at least formerDurable when its node died (a killed process loses nothing the OS
      // holds) and cut only the tail the new primary never had: the stream starts right after what
      // they share.
      assertThat(primary.counter("lastCatchUpFromSeq"))
          .as("the catch-up started where the former primary's log ended, not from the beginning")
          .isGreaterThanOrEqualTo(formerDurable - rejoined.counter("tailRecordsCut") + 1)
          .isGreaterThan(1);
      assertThat(rejoined.number("durableSeq")).isGreaterThan(formerDurable);
      assertThat(d.units.eventReasons(Drill.UNIT)).contains("FailoverStarted", "MemberRejoined");
      assertThat(d.units.failovers(Drill.UNIT) - failoversBefore).isEqualTo(1);
      assertThat(d.units.memberPods(Drill.UNIT)).containsExactlyInAnyOrder(former, standby);
      assertThat(v.lost()).as("acknowledged writes lost: %s", v.lostExamples()).isZero();
      assertThat(v.splitBrain())
          .as("writes acknowledged at an older epoch after a newer one: %s", v.splitBrainExamples())
          .isZero();
      assertThat(v.outageMillis())
          .as("the client's outage against the unit's response-time budget")
          .isLessThanOrEqualTo(d.budgetMillis());
    }
  }

  /** Members only on {@code nodes} (a required node affinity, as for dedicated nodes), their logs on claims of the test's class. */
  private static void pinnedWithStorage(OperationalUnit u, List<String> nodes) {
    u.getSpec()
        .getTemplate()
        .getSpec()
        .setAffinity(new AffinityBuilder()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey("kubernetes.io/hostname")
            .withOperator("In")
            .withValues(nodes)
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .build());
    StorageSpec storage = new StorageSpec();
    storage.setSize("100Mi");
    storage.setStorageClassName(storageClass);
    u.getSpec().getReplication().setStorage(storage);
  }
}
