package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StorageSpec;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Members with {@code replication.storage}: each keeps its log on a claim the unit owns, which outlives the pod, is
 * found again by the member recreated under its name, is removed once its member is gone for good, and goes with
 * the unit. The local control plane has no provisioner: static hostPath volumes of a class of this test's own.
 */
class MemberStorageTest extends EndToEndTest {
  private static final int VOLUMES = 5;
  private static String storageClass;

  @BeforeAll
  static void staticVolumesAndAShortClaimGrace() {
    storageClass = "ou-e2e-" + h.namespace;
    h.client
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
    for (int i = 0; i < VOLUMES; i++) {
      h.client
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
    // Claims of members gone for good are removed after a grace: short here, and resyncs often
    // enough to see it.
    h.operator.close();
    h.operator = OperatorProcess.start(
        h.repoRoot,
        h.kubeconfig,
        "storage-" + h.namespace,
        h.leaseName,
        Map.of("OU_MEMBER_CLAIM_GRACE", "3s", "OU_RESYNC", "5s"));
  }

  @AfterAll
  static void removeVolumes() {
    if (storageClass == null) return;
    for (int i = 0; i < VOLUMES; i++)
      h.client.persistentVolumes().withName(storageClass + "-" + i).delete();
    h.client.storage().v1().storageClasses().withName(storageClass).delete();
  }

  @Test
  void membersKeepTheirClaimsWhenBothAreReplacedAndTheClaimsOfMembersGoneForGoodGo() {
    String unit = "store";
    OperationalUnit u = Units.sample(h.repoRoot, unit, UnitHarness.BUDGET);
    StorageSpec storage = new StorageSpec();
    storage.setSize("100Mi");
    storage.setStorageClassName(storageClass);
    u.getSpec().getReplication().setStorage(storage);
    String uid = h.units.create(u).getMetadata().getUid();
    h.awaitProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);

    for (String member : List.of(primary, standby)) {
      PersistentVolumeClaim claim = claim(member);
      assertThat(claim).as("claim of " + member).isNotNull();
      assertThat(claim.getMetadata().getLabels())
          .containsEntry(ContractKeys.UNIT_LABEL, unit)
          .containsEntry(ContractKeys.MEMBER_LABEL, member);
      assertThat(claim.getMetadata().getOwnerReferences())
          .as("owned by the unit, not the pod")
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
      assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
      assertThat(dataClaimOf(member)).isEqualTo(member + "-data");
    }
    String primaryClaim = claim(primary).getMetadata().getUid();
    String standbyClaim = claim(standby).getMetadata().getUid();

    // Both members gone at once (the operator stopped, so it cannot fail over in between):
    // recreated under the names the status holds, on their own claims.
    h.operator.close();
    h.client
        .pods()
        .inNamespace(h.namespace)
        .withLabel(ContractKeys.UNIT_LABEL, unit)
        .withGracePeriod(0)
        .delete();
    await("both members gone")
        .atMost(Duration.ofSeconds(30))
        .until(() -> h.units.memberPods(unit).isEmpty()
            && h.client
                .pods()
                .inNamespace(h.namespace)
                .withLabel(ContractKeys.UNIT_LABEL, unit)
                .list()
                .getItems()
                .isEmpty());
    h.operator = OperatorProcess.start(
        h.repoRoot,
        h.kubeconfig,
        "storage-again-" + h.namespace,
        h.leaseName,
        Map.of("OU_MEMBER_CLAIM_GRACE", "3s", "OU_RESYNC", "5s"));
    await("members recreated")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units
            .memberPods(unit)
            .equals(List.of(primary, standby).stream().sorted().toList()));
    h.awaitProtected(unit);
    assertThat(claim(primary).getMetadata().getUid())
        .as("the recreated primary's claim")
        .isEqualTo(primaryClaim);
    assertThat(claim(standby).getMetadata().getUid())
        .as("the recreated standby's claim")
        .isEqualTo(standbyClaim);
    assertThat(dataClaimOf(primary)).isEqualTo(primary + "-data");

    // A failover: the former primary is replaced by a new standby under a new name; its claim goes
    // after the grace.
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);
    await("failed over and Protected")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.failovers(unit) == 1
            && h.units.phase(unit) == UnitPhase.Protected
            && h.units.standby(unit) != null
            && !h.units.standby(unit).equals(standby));
    String newStandby = h.units.standby(unit);
    assertThat(claim(newStandby)).isNotNull();
    await("claim of the former primary " + primary + " removed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> claim(primary) == null);
    assertThat(claim(standby).getMetadata().getUid())
        .as("the promoted standby keeps its claim")
        .isEqualTo(standbyClaim);

    h.units.delete(unit);
    await("the unit's claims garbage-collected with it")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.client
            .persistentVolumeClaims()
            .inNamespace(h.namespace)
            .withLabel(ContractKeys.UNIT_LABEL, unit)
            .list()
            .getItems()
            .isEmpty());
  }

  private static PersistentVolumeClaim claim(String member) {
    return h.client
        .persistentVolumeClaims()
        .inNamespace(h.namespace)
        .withName(member + "-data")
        .get();
  }

  private static String dataClaimOf(String member) {
    Pod pod = h.client.pods().inNamespace(h.namespace).withName(member).get();
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("ou-data"))
        .findFirst()
        .map(v -> v.getPersistentVolumeClaim() == null
            ? null
            : v.getPersistentVolumeClaim().getClaimName())
        .orElse(null);
  }
}
