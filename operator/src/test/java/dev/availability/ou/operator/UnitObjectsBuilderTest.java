package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

/** The objects a unit needs besides its members (issue 15 item 16: the replication port's NetworkPolicy). */
class UnitObjectsBuilderTest {
  @Test
  void onlyTheUnitsOwnMembersMayOpenTheReplicationPortAndEveryOtherPortStaysOpen()
      throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    var policy = UnitObjectsBuilder.replicationPolicy(unit).getSpec();
    String name = unit.getMetadata().getName();
    assertThat(policy.getPodSelector().getMatchLabels())
        .containsExactlyEntriesOf(java.util.Map.of(ContractKeys.UNIT_LABEL, name));
    assertThat(policy.getPolicyTypes()).containsExactly("Ingress");
    assertThat(policy.getIngress()).hasSize(2);

    var replication = policy.getIngress().get(0);
    assertThat(replication.getFrom())
        .singleElement()
        .satisfies(f -> assertThat(f.getPodSelector().getMatchLabels())
            .containsEntry(ContractKeys.UNIT_LABEL, name));
    assertThat(replication.getPorts())
        .singleElement()
        .satisfies(
            p -> assertThat(p.getPort().getIntVal()).isEqualTo(ContractKeys.REPLICATION_PORT));

    var others = policy.getIngress().get(1);
    assertThat(others.getFrom()).as("from anywhere").isNullOrEmpty();
    assertThat(covers(others.getPorts(), "TCP", ContractKeys.REPLICATION_PORT)).isFalse();
    for (int port : new int[] {1, 8080, ContractKeys.LOCAL_API_PORT, 7482, 65535})
      assertThat(covers(others.getPorts(), "TCP", port)).as("TCP %d", port).isTrue();
    assertThat(covers(others.getPorts(), "UDP", ContractKeys.REPLICATION_PORT)).isTrue();
    assertThat(UnitObjectsBuilder.replicationPolicy(unit).getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("OperationalUnit"));
  }

  @Test
  void aMembersClaimIsNamedAfterItAndOwnedByTheUnitSoItOutlivesThePod() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    var storage = new dev.availability.ou.api.StorageSpec();
    storage.setSize("2Gi");
    storage.setStorageClassName("fast");
    unit.getSpec().getReplication().setStorage(storage);
    var claim = UnitObjectsBuilder.memberClaim(unit, "kv-3");

    assertThat(claim.getMetadata().getName()).isEqualTo("kv-3-data");
    assertThat(claim.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(claim.getMetadata().getLabels())
        .containsEntry(ContractKeys.UNIT_LABEL, "kv")
        .containsEntry(ContractKeys.MEMBER_LABEL, "kv-3");
    assertThat(claim.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("OperationalUnit");
      assertThat(o.getUid()).isEqualTo("uid-1");
    });
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("2Gi");
  }

  @Test
  void theDisruptionBudgetProtectsThePrimaryAloneSoAStandbyStaysEvictable() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    var pdb = UnitObjectsBuilder.disruptionBudget(unit, "kv-4");

    assertThat(pdb.getMetadata().getName()).isEqualTo("kv");
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of(ContractKeys.UNIT_LABEL, "kv", ContractKeys.MEMBER_LABEL, "kv-4"));
    assertThat(pdb.getSpec().getMinAvailable().getIntVal())
        .as("the primary's eviction is always refused")
        .isEqualTo(1);
    assertThat(pdb.getSpec().getMaxUnavailable())
        .as("it would need the unit's scale subresource")
        .isNull();
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy())
        .as("an unready primary serves nothing: a drain need not wait on it")
        .isEqualTo("AlwaysAllow");
    assertThat(pdb.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
  }

  private static boolean covers(
      java.util.List<NetworkPolicyPort> ports, String protocol, int port) {
    return ports.stream()
        .anyMatch(p -> p.getProtocol().equals(protocol)
            && p.getPort().getIntVal() <= port
            && port <= (p.getEndPort() == null ? p.getPort().getIntVal() : p.getEndPort()));
  }
}
