package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.FailoverProgress;
import dev.availability.ou.api.MemberRef;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.StandbyStatus;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which member claims are deleted: only those of members gone for good, old enough that no cache can be behind. */
class UnusedClaimsTest {
  private static final String UID = "uid-1";
  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(2);
  private static final Instant OLD = NOW.minus(Duration.ofMinutes(10));

  @Test
  void aClaimOfAMemberNeitherInTheStatusNorAPodIsDeletedOnceOlderThanTheGrace() {
    var claims = List.of(claim("kv-0", OLD), claim("kv-1", OLD), claim("kv-2", OLD));
    assertThat(UnusedClaims.among(
            claims, UID, status("kv-1", "kv-2", null), Set.of("kv-1", "kv-2"), NOW, GRACE))
        .containsExactly("kv-0-data");
  }

  @Test
  void theClaimsOfPrimaryAndStandbyStayWhileTheirPodsAreGoneSoTheRecreatedMembersFindThem() {
    var claims = List.of(claim("kv-0", OLD), claim("kv-1", OLD));
    assertThat(UnusedClaims.among(claims, UID, status("kv-0", "kv-1", null), Set.of(), NOW, GRACE))
        .isEmpty();
  }

  @Test
  void aFailoverUnderWayKeepsTheClaimsOfItsTargetAndFormerPrimary() {
    var failover = new FailoverProgress();
    failover.setTargetPrimary("kv-1");
    failover.setFormerPrimary("kv-0");
    var claims = List.of(claim("kv-0", OLD), claim("kv-1", OLD));
    assertThat(
            UnusedClaims.among(claims, UID, status("kv-1", null, failover), Set.of(), NOW, GRACE))
        .isEmpty();
  }

  @Test
  void anExistingPodKeepsItsClaimThoughTheStatusNoLongerNamesIt() {
    var claims = List.of(claim("kv-0", OLD));
    assertThat(UnusedClaims.among(
            claims, UID, status("kv-1", "kv-2", null), Set.of("kv-0"), NOW, GRACE))
        .isEmpty();
  }

  @Test
  void aClaimYoungerThanTheGraceStaysForItsPodOrStatusMayNotHaveReachedTheCachesYet() {
    var claims =
        List.of(claim("kv-5", NOW.minus(GRACE).plusSeconds(1)), claim("kv-6", NOW.minus(GRACE)));
    assertThat(UnusedClaims.among(claims, UID, status("kv-1", "kv-2", null), Set.of(), NOW, GRACE))
        .containsExactly("kv-6-data");
  }

  @Test
  void claimsTheUnitDoesNotOwnOrThatAreBeingDeletedOrUnreadableAreLeftAlone() {
    PersistentVolumeClaim foreign = new PersistentVolumeClaimBuilder(claim("kv-7", OLD))
        .editMetadata()
        .withOwnerReferences()
        .endMetadata()
        .build();
    PersistentVolumeClaim deleting = new PersistentVolumeClaimBuilder(claim("kv-8", OLD))
        .editMetadata()
        .withDeletionTimestamp(NOW.toString())
        .endMetadata()
        .build();
    PersistentVolumeClaim noMember = new PersistentVolumeClaimBuilder(claim("kv-9", OLD))
        .editMetadata()
        .withLabels(java.util.Map.of(ContractKeys.UNIT_LABEL, "kv"))
        .endMetadata()
        .build();
    PersistentVolumeClaim badTime = new PersistentVolumeClaimBuilder(claim("kv-10", OLD))
        .editMetadata()
        .withCreationTimestamp("yesterday")
        .endMetadata()
        .build();
    assertThat(UnusedClaims.among(
            List.of(foreign, deleting, noMember, badTime),
            UID,
            status("kv-1", "kv-2", null),
            Set.of(),
            NOW,
            GRACE))
        .isEmpty();
  }

  @Test
  void aUnitThatNamesNoPrimaryYetKeepsEveryClaim() {
    var claims = List.of(claim("kv-0", OLD));
    assertThat(UnusedClaims.among(claims, UID, null, Set.of(), NOW, GRACE)).isEmpty();
    assertThat(UnusedClaims.among(claims, UID, new OperationalUnitStatus(), Set.of(), NOW, GRACE))
        .isEmpty();
  }

  private static OperationalUnitStatus status(
      String primary, String standby, FailoverProgress failover) {
    var s = new OperationalUnitStatus();
    s.setPrimary(new MemberRef(primary, "node-a"));
    if (standby != null) s.setStandby(new StandbyStatus(standby, "node-b", true, 0L));
    s.setFailover(failover);
    return s;
  }

  private static PersistentVolumeClaim claim(String member, Instant created) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(member + "-data")
        .withNamespace("ns")
        .withCreationTimestamp(created.toString())
        .addToLabels(ContractKeys.UNIT_LABEL, "kv")
        .addToLabels(ContractKeys.MEMBER_LABEL, member)
        .addNewOwnerReference()
        .withKind("OperationalUnit")
        .withName("kv")
        .withUid(UID)
        .endOwnerReference()
        .endMetadata()
        .build();
  }
}
