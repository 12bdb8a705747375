package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PlacementSpec;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Member;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The desired member pod and Service, built from the sample users apply. */
class MemberPodBuilderTest {
  private final OperatorConfig.Sidecar sidecar = sidecarSettings();

  /** The sidecar settings of these tests (the chart's defaults, a test image). */
  static OperatorConfig.Sidecar sidecarSettings() {
    return new OperatorConfig.Sidecar() {
      @Override
      public String image() {
        return "ou-operator:test";
      }

      @Override
      public List<String> command() {
        return List.of("java", "-jar", "/deployments/sidecar/ou-sidecar.jar");
      }

      @Override
      public String javaOptions() {
        return "-Xmx64m";
      }

      @Override
      public String imagePullPolicy() {
        return "IfNotPresent";
      }

      @Override
      public String cpuRequest() {
        return "50m";
      }

      @Override
      public String memoryRequest() {
        return "96Mi";
      }

      @Override
      public String memoryLimit() {
        return "256Mi";
      }

      @Override
      public Optional<String> fsync() {
        return Optional.empty();
      }
    };
  }

  @Test
  void aMemberCarriesItsAssignmentTheSidecarAndAntiAffinity() throws Exception {
    OperationalUnit unit = sample();
    Pod pod = new MemberPodBuilder(sidecar)
        .build(
            unit,
            new CreateMember(
                "kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of("node-b", "node-a"), "node-c"),
            "abc",
            ObservationBuilder.policy(unit).memberSettings(),
            false);

    assertThat(pod.getMetadata().getName()).isEqualTo("kv-1");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(ContractKeys.UNIT_LABEL, "kv")
        .containsEntry(ContractKeys.MEMBER_LABEL, "kv-1")
        .containsEntry(ContractKeys.ROLE_LABEL, "standby")
        .containsEntry("app", "kvstore");
    Assignment a = ContractJson.assignment(
        pod.getMetadata().getAnnotations().get(ContractKeys.ASSIGNMENT_ANNOTATION));
    // The timings of the sample's budget travel with the assignment (T_recovery 2 s: heartbeat 100
    // ms, peer lost after 400 ms, lease 800 ms, margin 200 ms), so an edit of the budget reaches a
    // running sidecar.
    assertThat(a)
        .isEqualTo(new Assignment(
            Role.Standby, 3, "kv-0", "Synchronous", new Assignment.Timing(100, 400, 800, 200)));
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getController()).isTrue());
    assertThat(pod.getSpec().getContainers())
        .extracting(c -> c.getName())
        .containsExactly("kvstore", ContractKeys.SIDECAR_CONTAINER);
    var sc = pod.getSpec().getContainers().get(1);
    assertThat(sc.getImage()).isEqualTo("ou-operator:test");
    assertThat(sc.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("OU_POD_IP"));
    assertThat(sc.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("OU_PEER_LOST_AFTER");
      assertThat(e.getValue())
          .isEqualTo("400ms"); // 0.2 x T_recovery (2 s of the sample's 4 s T_max)
    });
    assertThat(sc.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getSpec().getVolumes())
        .extracting(v -> v.getName())
        .contains(MemberPodBuilder.DATA_VOLUME, MemberPodBuilder.KEY_VOLUME);
    // The assignment as the pod is created, as a file the sidecar reads before its first API call.
    assertThat(pod.getSpec().getVolumes())
        .filteredOn(v -> AssignmentVolume.NAME.equals(v.getName()))
        .singleElement()
        .satisfies(v -> assertThat(v.getDownwardAPI().getItems())
            .singleElement()
            .satisfies(i -> assertThat(i.getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['" + ContractKeys.ASSIGNMENT_ANNOTATION + "']")));
    assertThat(sc.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getName()).isEqualTo(AssignmentVolume.NAME));
    assertThat(sc.getEnv())
        .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
            .isEqualTo("OU_ASSIGNMENT_FILE=/var/run/ou/assignment/assignment"));
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("kv-member");

    var affinity = pod.getSpec().getAffinity();
    assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    var fields = affinity
        .getNodeAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms()
        .get(0)
        .getMatchFields();
    // A node field selector takes exactly one value per requirement.
    assertThat(fields).hasSize(2).allSatisfy(f -> assertThat(f.getValues()).hasSize(1));
    assertThat(fields).extracting(f -> f.getValues().get(0)).containsExactly("node-a", "node-b");
    assertThat(affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(p -> assertThat(p.getPreference().getMatchFields().get(0).getValues())
            .containsExactly("node-c"));
  }

  /** The kubelet writes Secret volumes owned by root: the non-root sidecar reads the peer key through the pod's fsGroup. */
  @Test
  void theTaintManagerNeverEvictsAMemberTheOperatorDecidesAndTheTemplatesOwnTolerationWins()
      throws Exception {
    OperationalUnit unit = sample();
    CreateMember member =
        new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null);

    Pod pod = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false);

    assertThat(pod.getSpec().getTolerations())
        .extracting(t -> t.getKey() + " " + t.getOperator() + " " + t.getEffect() + " "
            + t.getTolerationSeconds())
        .contains(
            "node.kubernetes.io/unreachable Exists NoExecute null",
            "node.kubernetes.io/not-ready Exists NoExecute null");

    unit.getSpec()
        .getTemplate()
        .getSpec()
        .setTolerations(List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
            .withKey("node.kubernetes.io/unreachable")
            .withOperator("Exists")
            .withEffect("NoExecute")
            .withTolerationSeconds(30L)
            .build()));
    Pod own = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false);

    assertThat(own.getSpec().getTolerations())
        .filteredOn(t -> "node.kubernetes.io/unreachable".equals(t.getKey()))
        .singleElement()
        .satisfies(t -> assertThat(t.getTolerationSeconds()).isEqualTo(30L));
    assertThat(own.getSpec().getTolerations())
        .anyMatch(t -> "node.kubernetes.io/not-ready".equals(t.getKey()));
  }

  @Test
  void theNonRootSidecarCanReadThePeerKey() throws Exception {
    OperationalUnit unit = sample();
    CreateMember member =
        new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null);
    Pod pod = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false);
    assertThat(pod.getSpec().getSecurityContext().getFsGroup()).isEqualTo(1001L);
    assertThat(pod.getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440));
    unit.getSpec()
        .getTemplate()
        .getSpec()
        .setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
            .withFsGroup(2000L)
            .build());
    assertThat(new MemberPodBuilder(sidecar)
            .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
            .getSpec()
            .getSecurityContext()
            .getFsGroup())
        .as("the template's own fsGroup stays")
        .isEqualTo(2000L);
  }

  @Test
  void preferredAntiAffinityAndAZoneTopologyKeyAreHonoured() throws Exception {
    OperationalUnit unit = sample();
    unit.getSpec().getPlacement().setAntiAffinity(PlacementSpec.AntiAffinity.Preferred);
    unit.getSpec().getPlacement().setTopologyKey("topology.kubernetes.io/zone");
    Pod pod = new MemberPodBuilder(sidecar)
        .build(
            unit,
            new CreateMember("kv-0", 0, Member.Role.Primary, 1, "kv-1", Set.of(), null),
            "abc",
            ObservationBuilder.policy(unit).memberSettings(),
            false);
    var anti = pod.getSpec().getAffinity().getPodAntiAffinity();
    assertThat(anti.getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
    assertThat(anti.getPreferredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(w -> assertThat(w.getPodAffinityTerm().getTopologyKey())
            .isEqualTo("topology.kubernetes.io/zone"));
  }

  @Test
  void theServiceSelectorPinsThePrimaryAndNothingElse() throws Exception {
    Service service = UnitObjectsBuilder.service(sample(), "kv-7");
    assertThat(service.getSpec().getSelector())
        .containsOnly(
            java.util.Map.entry(ContractKeys.UNIT_LABEL, "kv"),
            java.util.Map.entry(ContractKeys.MEMBER_LABEL, "kv-7"));
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(80);
      assertThat(p.getTargetPort().getIntVal()).isEqualTo(8080);
    });
  }

  @Test
  void templateHashChangesWithTheTemplateOnly() throws Exception {
    OperationalUnit a = sample();
    OperationalUnit b = sample();
    assertThat(TemplateHash.of(a.getSpec())).isEqualTo(TemplateHash.of(b.getSpec()));
    b.getSpec().getFailover().setAutomatic(false);
    assertThat(TemplateHash.of(a.getSpec())).isEqualTo(TemplateHash.of(b.getSpec()));
    b.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("other:2");
    assertThat(TemplateHash.of(a.getSpec())).isNotEqualTo(TemplateHash.of(b.getSpec()));
  }

  @Test
  void theSidecarIsSizedForTheStateTheUnitDeclares() throws Exception {
    OperationalUnit unit = sample();
    CreateMember member =
        new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null);
    var defaults = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(env(defaults, "JAVA_TOOL_OPTIONS")).endsWith(" -Xmx64m");
    assertThat(defaults.getResources().getRequests().get("memory").toString()).isEqualTo("96Mi");

    unit.getSpec().getReplication().setStateMemory("100Mi");
    var sized = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    // 2 x 100 Mi + 18 Mi of heap, placed last so it overrides the configured -Xmx; 56 Mi outside
    // the heap.
    assertThat(env(sized, "JAVA_TOOL_OPTIONS")).endsWith(" -Xmx64m -Xmx218m");
    assertThat(sized.getResources().getRequests().get("memory").toString()).isEqualTo("274Mi");
    assertThat(sized.getResources().getLimits().get("memory").toString()).isEqualTo("548Mi");

    unit.getSpec()
        .getReplication()
        .setStateMemory(
            "1Mi"); // a small state: a smaller heap than the default, never below 32 MiB
    var small = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(env(small, "JAVA_TOOL_OPTIONS")).endsWith(" -Xmx64m -Xmx32m");
    assertThat(small.getResources().getRequests().get("memory").toString()).isEqualTo("88Mi");
    assertThat(small.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
  }

  @Test
  void streamEncryptionIsOnUnlessTheUnitTurnsItOff() throws Exception {
    OperationalUnit unit = sample();
    CreateMember member =
        new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null);
    var sealed = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(env(sealed, "OU_STREAM_ENCRYPTION")).isEqualTo("aes-256-gcm");
    assertThat(env(sealed, "JAVA_TOOL_OPTIONS")).doesNotContain("TieredStopAtLevel");

    unit.getSpec().getReplication().setEncryptStream(false);
    var plain = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(env(plain, "OU_STREAM_ENCRYPTION")).isEqualTo("none");
    assertThat(env(plain, "JAVA_TOOL_OPTIONS")).endsWith("-Xmx64m -XX:TieredStopAtLevel=1");
  }

  @Test
  void preferredDataDurabilityReachesTheSidecarAndRequiredLeavesThePodAsBefore() throws Exception {
    OperationalUnit unit = sample();
    CreateMember member =
        new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null);
    var required = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(required.getEnv()).noneMatch(e -> e.getName().equals("OU_DATA_DURABILITY"));

    unit.getSpec()
        .getReplication()
        .setDataDurability(dev.availability.ou.api.DataDurability.Preferred);
    var preferred = new MemberPodBuilder(sidecar)
        .build(unit, member, "abc", ObservationBuilder.policy(unit).memberSettings(), false)
        .getSpec()
        .getContainers()
        .get(1);
    assertThat(env(preferred, "OU_DATA_DURABILITY")).isEqualTo("preferred");
  }

  @Test
  void theSidecarStartsFromTheImagesAotCacheAndTheConfiguredOptionsComeAfterIt() throws Exception {
    var c = new MemberPodBuilder(sidecar)
        .build(
            sample(),
            new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null),
            "abc",
            ObservationBuilder.policy(sample()).memberSettings(),
            false)
        .getSpec()
        .getContainers()
        .get(1);
    String options = env(c, "JAVA_TOOL_OPTIONS");
    assertThat(options).startsWith("-XX:AOTCache=/deployments/sidecar/ou-sidecar.aot ");
    // The JVM refuses -XX:AOTCache beside a dynamic archive: the member's volume holds none any
    // more.
    assertThat(options)
        .doesNotContain("SharedArchiveFile")
        .doesNotContain("AutoCreateSharedArchive");
    assertThat(options.indexOf("-Xmx64m")).isGreaterThan(options.indexOf("AOTCache"));
  }

  @Test
  void configuredOptionsThatChooseTheClassSharingThemselvesGetNoAotCacheBesideThem()
      throws Exception {
    var replication = sample().getSpec().getReplication();
    for (String own : List.of(
        "-Xshare:off",
        "-XX:SharedArchiveFile=/x.jsa",
        "-XX:AOTCache=/other.aot",
        "-XX:AOTMode=off",
        "-XX:ArchiveClassesAtExit=/x.jsa"))
      assertThat(MemberPodBuilder.javaOptions("-Xmx64m " + own, replication, Optional.empty()))
          .as("with %s the JVM would refuse to start beside -XX:AOTCache", own)
          .startsWith("-Xmx64m " + own);
    assertThat(MemberPodBuilder.javaOptions("-Xmx64m", replication, Optional.empty()))
        .startsWith("-XX:AOTCache=" + MemberPodBuilder.AOT_CACHE + " -Xmx64m");
  }

  @Test
  void withStorageTheDataVolumeIsTheMembersOwnClaimSoAMemberRecreatedUnderItsNameFindsItsData()
      throws Exception {
    OperationalUnit unit = sample();
    var storage = new dev.availability.ou.api.StorageSpec();
    storage.setSize("1Gi");
    unit.getSpec().getReplication().setStorage(storage);
    Pod pod = new MemberPodBuilder(sidecar)
        .build(
            unit,
            new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null),
            "abc",
            ObservationBuilder.policy(unit).memberSettings(),
            false);

    var data = pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(MemberPodBuilder.DATA_VOLUME))
        .findFirst()
        .orElseThrow();
    assertThat(data.getEphemeral())
        .as("a generic ephemeral volume dies with its pod")
        .isNull();
    assertThat(data.getPersistentVolumeClaim()).isNotNull();
    assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo("kv-1-data");
  }

  @Test
  void withoutStorageTheDataVolumeIsAnEmptyDir() throws Exception {
    Pod pod = new MemberPodBuilder(sidecar)
        .build(
            sample(),
            new CreateMember("kv-1", 1, Member.Role.Standby, 3, "kv-0", Set.of(), null),
            "abc",
            ObservationBuilder.policy(sample()).memberSettings(),
            false);
    var data = pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(MemberPodBuilder.DATA_VOLUME))
        .findFirst()
        .orElseThrow();
    assertThat(data.getEmptyDir()).isNotNull();
    assertThat(data.getPersistentVolumeClaim()).isNull();
  }

  private static String env(io.fabric8.kubernetes.api.model.Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  static OperationalUnit sample() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("samples"))) root = root.getParent();
    OperationalUnit unit = Serialization.unmarshal(
        Files.readString(root.resolve("samples/kvstore-synchronous.yaml")), OperationalUnit.class);
    unit.getMetadata().setName("kv");
    unit.getMetadata().setNamespace("ns");
    unit.getMetadata().setUid("uid-1");
    return unit;
  }

  /**
   * A unit a pool holds keeps its members off the pool's pods; one that names a pool beyond its capacity has a standby
   * of its own and does not (its members avoiding the pool's pods left a small cluster no node for the next shared pod).
   */
  @Test
  void onlyAUnitThePoolHoldsKeepsItsMembersOffThePoolsPods() throws Exception {
    OperationalUnit unit = sample();
    unit.getSpec().setStandby(new dev.availability.ou.api.StandbySpec("shards"));
    CreateMember member = new CreateMember("kv-0", 0, Member.Role.Primary, 1, null, Set.of(), null);
    MemberPodBuilder builder = new MemberPodBuilder(sidecar);
    var settings = ObservationBuilder.policy(unit).memberSettings();

    assertThat(poolTerms(builder.build(unit, member, "abc", settings, true))).isEqualTo(1);
    assertThat(poolTerms(builder.build(unit, member, "abc", settings, false))).isZero();
  }

  private static long poolTerms(Pod pod) {
    var anti = pod.getSpec().getAffinity().getPodAntiAffinity();
    var required = Optional.ofNullable(anti.getRequiredDuringSchedulingIgnoredDuringExecution())
        .orElse(List.of())
        .stream();
    var preferred = Optional.ofNullable(anti.getPreferredDuringSchedulingIgnoredDuringExecution())
        .orElse(List.of())
        .stream()
        .map(w -> w.getPodAffinityTerm());
    return java.util.stream.Stream.concat(required, preferred)
        .filter(t -> t.getLabelSelector().getMatchLabels().containsKey(ContractKeys.POOL_LABEL))
        .count();
  }
}
