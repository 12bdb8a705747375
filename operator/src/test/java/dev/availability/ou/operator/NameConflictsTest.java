package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 15 item 9: a unit never takes over an object it did not create. */
class NameConflictsTest {
  @Test
  void everyObjectTheUnitMakesCarriesItsOwnerReference() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    String uid = unit.getMetadata().getUid();
    List<HasMetadata> made = List.of(
        UnitObjectsBuilder.peerKey(unit),
        UnitObjectsBuilder.memberServiceAccount(unit),
        UnitObjectsBuilder.memberRole(unit),
        UnitObjectsBuilder.memberRoleBinding(unit, "x"),
        UnitObjectsBuilder.disruptionBudgetName(unit),
        UnitObjectsBuilder.replicationPolicy(unit),
        UnitObjectsBuilder.service(unit, "p"),
        UnitObjectsBuilder.serviceName(unit),
        UnitObjectsBuilder.leaseName(unit));
    assertThat(NameConflicts.among(made, uid)).isEmpty();
  }

  @Test
  void anExistingObjectWithoutAnOwnerReferenceToTheUnitIsAConflictAndAnAbsentOneIsNot() {
    HasMetadata foreignService =
        new ServiceBuilder().withNewMetadata().withName("kv").endMetadata().build();
    HasMetadata roleOfAnotherUnit = new RoleBuilder()
        .withNewMetadata()
        .withName("kv-member")
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withKind("OperationalUnit")
            .withName("kv")
            .withUid("other-uid")
            .build())
        .endMetadata()
        .build();
    HasMetadata ours = new ServiceBuilder()
        .withNewMetadata()
        .withName("kv")
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withKind("OperationalUnit")
            .withName("kv")
            .withUid("uid-1")
            .build())
        .endMetadata()
        .build();
    assertThat(NameConflicts.among(
            Arrays.asList(foreignService, null, roleOfAnotherUnit, ours), "uid-1"))
        .containsExactly("Service kv", "Role kv-member");
  }

  @Test
  void theMessageNamesTheObjectsAndSaysWhatToDo() {
    assertThat(NameConflicts.message(List.of("Service kv", "Role kv-member")))
        .startsWith("Service kv, Role kv-member exist without an owner reference to this unit")
        .contains("nothing was changed")
        .contains("delete or rename them");
  }

  @Test
  void aPodNamedLikeAMemberOfTheStatusIsAConflictUnlessTheUnitOrItsPoolMadeIt() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    String uid = unit.getMetadata().getUid();
    var status = new dev.availability.ou.api.OperationalUnitStatus();
    status.setPrimary(new dev.availability.ou.api.MemberRef("kv-0", "n0"));
    var standby = new dev.availability.ou.api.StandbyStatus();
    standby.setPod("pool-standby-1");
    status.setStandby(standby);
    unit.setStatus(status);
    HasMetadata foreign = pod("kv-0", null, null);
    HasMetadata ours = pod("kv-0", "OperationalUnit", uid);
    HasMetadata thePools = pod("pool-standby-1", "StandbyPool", "pool-uid");
    HasMetadata aStranger = pod("pool-standby-1", null, null);

    assertThat(NameConflicts.amongMembers(unit, n -> n.equals("kv-0") ? foreign : thePools))
        .containsExactly("Pod kv-0");
    assertThat(NameConflicts.amongMembers(unit, n -> n.equals("kv-0") ? ours : thePools))
        .isEmpty();
    assertThat(NameConflicts.amongMembers(unit, n -> n.equals("kv-0") ? null : aStranger))
        .as("a member that is gone is no conflict; a stranger in the pool pod's name is")
        .containsExactly("Pod pool-standby-1");
    unit.setStatus(null);
    assertThat(NameConflicts.amongMembers(unit, n -> foreign)).isEmpty();
  }

  private static HasMetadata pod(String name, String ownerKind, String ownerUid) {
    var b = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(name);
    if (ownerKind != null)
      b = b.withOwnerReferences(new OwnerReferenceBuilder()
          .withKind(ownerKind)
          .withName("owner")
          .withUid(ownerUid)
          .build());
    return b.endMetadata().build();
  }
}
