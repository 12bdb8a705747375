package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.ContractKeys;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which units a pool's pod holds, from its labels and annotations, and what the sidecar changes to match. */
class PoolMembershipTest {
  static final Map<String, String> NONE = Map.of();

  @Test
  void anAssignmentOrAMemberLabelMakesAUnitJoin() {
    PoolMembership.Plan plan = PoolMembership.plan(
        Map.of(
            ContractKeys.poolUnitLabel("shard-c"),
            "member",
            ContractKeys.POOL_LABEL,
            "kv",
            ContractKeys.UNIT_LABEL,
            "not-a-pool-unit"),
        Map.of(
            ContractKeys.assignmentAnnotation("shard-b"),
            "{}",
            ContractKeys.assignmentAnnotation("shard-a"),
            "{}",
            ContractKeys.reportAnnotation("shard-a"),
            "{}",
            ContractKeys.ASSIGNMENT_ANNOTATION,
            "{}"),
        Set.of("shard-a"));
    assertThat(plan.join()).containsExactly("shard-b", "shard-c");
    assertThat(plan.leave()).isEmpty();
    assertThat(plan.staleReports()).isEmpty();
    assertThat(plan.isEmpty()).isFalse();
  }

  @Test
  void aUnitLeavesOnlyWhenNeitherItsAssignmentNorItsLabelIsLeft() {
    Map<String, String> labelOnly = Map.of(ContractKeys.poolUnitLabel("shard-a"), "member");
    assertThat(PoolMembership.plan(labelOnly, NONE, Set.of("shard-a")).isEmpty())
        .isTrue();
    PoolMembership.Plan plan = PoolMembership.plan(NONE, NONE, Set.of("shard-a", "shard-b"));
    assertThat(plan.leave()).containsExactly("shard-a", "shard-b");
    assertThat(plan.join()).isEmpty();
  }

  @Test
  void theReportOfAUnitNoLongerHeldIsStaleButNotOneStillHeldOrJoining() {
    PoolMembership.Plan plan = PoolMembership.plan(
        NONE,
        Map.of(
            ContractKeys.reportAnnotation("gone"), "{}",
            ContractKeys.reportAnnotation("leaving"), "{}",
            ContractKeys.reportAnnotation("kept"), "{}",
            ContractKeys.assignmentAnnotation("kept"), "{}"),
        Set.of("kept", "leaving"));
    assertThat(plan.leave()).containsExactly("leaving"); // its report goes once it has left
    assertThat(plan.staleReports()).containsExactly("gone");
  }

  @Test
  void aKeyNamingNoValidUnitIsSaidNotJoined() {
    PoolMembership.Plan plan = PoolMembership.plan(
        Map.of(ContractKeys.poolUnitLabel("Shard_A"), "member"),
        Map.of(ContractKeys.reportAnnotation("Shard_A"), "{}"),
        Set.of());
    assertThat(plan.invalid()).isEqualTo(List.of("Shard_A"));
    assertThat(plan.isEmpty()).isTrue();
  }
}
