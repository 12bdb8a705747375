package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shared standby pod of a pool, and the access its sidecar gets, built from the sample unit. */
class SharedPodBuilderTest {
  private final SharedPodBuilder builder =
      new SharedPodBuilder(new MemberPodBuilder(MemberPodBuilderTest.sidecarSettings()));

  static StandbyPool pool() {
    StandbyPool pool = PoolViewsTest.pool("ns", "shards", 8);
    pool.getMetadata().setUid("pool-uid");
    return pool;
  }

  @Test
  void theSharedPodIsThePoolsAndHoldsEachUnitUnderItsOwnLabelAndKey() throws Exception {
    OperationalUnit reference = MemberPodBuilderTest.sample();
    Pod pod = builder.build(
        pool(), reference, "shards-standby-0", List.of("kv", "kv2"), Set.of("node-a"));

    assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("StandbyPool");
      assertThat(o.getUid()).isEqualTo("pool-uid");
    });
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(ContractKeys.POOL_LABEL, "shards")
        .containsEntry(ContractKeys.MEMBER_LABEL, "shards-standby-0")
        .containsEntry(ContractKeys.poolUnitLabel("kv"), "member")
        .containsEntry(ContractKeys.poolUnitLabel("kv2"), "member")
        // the unit label would make it one unit's member pod, and the unit's Service could select
        // it
        .doesNotContainKey(ContractKeys.UNIT_LABEL)
        .doesNotContainKey(ContractKeys.ROLE_LABEL);
    assertThat(pod.getMetadata().getAnnotations())
        .doesNotContainKey(ContractKeys.ASSIGNMENT_ANNOTATION);
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("shards-pool-member");

    Volume keys = pod.getSpec().getVolumes().stream()
        .filter(v -> MemberPodBuilder.KEY_VOLUME.equals(v.getName()))
        .findFirst()
        .orElseThrow();
    assertThat(keys.getProjected().getSources())
        .extracting(
            s -> s.getSecret().getName() + ":" + s.getSecret().getItems().get(0).getPath())
        .containsExactly("kv-peer-key:kv", "kv2-peer-key:kv2");
    assertThat(pod.getSpec().getVolumes())
        .filteredOn(v -> MemberPodBuilder.DATA_VOLUME.equals(v.getName()))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());

    Container sidecar = pod.getSpec().getContainers().stream()
        .filter(c -> ContractKeys.SIDECAR_CONTAINER.equals(c.getName()))
        .findFirst()
        .orElseThrow();
    List<String> env = sidecar.getEnv().stream().map(EnvVar::getName).toList();
    assertThat(env)
        .contains("OU_POOL", "OU_PEER_KEY_DIR", "OU_POD_NAME")
        .doesNotContain("OU_UNIT", "OU_PEER_KEY_FILE");
    assertThat(sidecar.getVolumeMounts())
        .filteredOn(m -> MemberPodBuilder.KEY_VOLUME.equals(m.getName()))
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo(SharedPodBuilder.KEY_DIR));

    var anti = pod.getSpec().getAffinity().getPodAntiAffinity();
    assertThat(anti.getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(
            t -> assertThat(t.getLabelSelector().getMatchExpressions().get(0).getValues())
                .containsExactly("kv", "kv2"));
    assertThat(pod.getSpec().getAffinity().getNodeAffinity()).isNotNull();
  }

  @Test
  void thePoolsRoleNamesEachHeldUnitsLeaseAndNeverAllLeases() {
    Role held = role(PoolAccess.objects(pool(), Set.of("kv2", "kv")));
    assertThat(held.getRules())
        .filteredOn(r -> r.getResources().contains("leases"))
        .singleElement()
        .satisfies(
            r -> assertThat(r.getResourceNames()).containsExactly("kv-primary", "kv2-primary"));
    // With no unit held, no lease rule at all: an empty resourceNames would grant every Lease.
    assertThat(role(PoolAccess.objects(pool(), Set.of())).getRules())
        .noneMatch(r -> r.getResources().contains("leases"));
  }

  @Test
  void aPooledUnitsMembersAvoidItsSharedStandby() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getSpec().setStandby(new dev.availability.ou.api.StandbySpec("shards"));
    Pod member = new MemberPodBuilder(MemberPodBuilderTest.sidecarSettings())
        .build(
            unit,
            new dev.availability.ou.failover.Action.CreateMember(
                "kv-0",
                0,
                dev.availability.ou.failover.Member.Role.Primary,
                1,
                null,
                Set.of(),
                null),
            "h",
            ObservationBuilder.policy(unit).memberSettings(),
            true);
    var anti = member.getSpec().getAffinity().getPodAntiAffinity();
    List<java.util.Map<String, String>> selectors = new java.util.ArrayList<>();
    anti.getRequiredDuringSchedulingIgnoredDuringExecution()
        .forEach(t -> selectors.add(t.getLabelSelector().getMatchLabels()));
    anti.getPreferredDuringSchedulingIgnoredDuringExecution()
        .forEach(t -> selectors.add(t.getPodAffinityTerm().getLabelSelector().getMatchLabels()));
    assertThat(selectors).contains(java.util.Map.of(ContractKeys.POOL_LABEL, "shards"));
  }

  private static Role role(List<HasMetadata> objects) {
    return objects.stream()
        .filter(Role.class::isInstance)
        .map(Role.class::cast)
        .findFirst()
        .orElseThrow();
  }
}
