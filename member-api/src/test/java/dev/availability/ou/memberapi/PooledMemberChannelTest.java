package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A standby pool's pod holds several units (docs/pools.md): each unit's replica reads its own assignment and writes
 * its own report, under that unit's keys, and a dedicated primary finds its pooled standby's endpoint there.
 */
class PooledMemberChannelTest {
  /** Pods' annotations by pod name; merge patches are recorded. */
  final Map<String, Map<String, String>> annotations = new HashMap<>();

  final List<String> patches = new ArrayList<>();

  final MemberApi api = new PodReadingApi() {
    @Override
    public void mergePatchPod(String name, String mergePatchJson) {
      patches.add(name + " " + mergePatchJson);
    }

    @Override
    public PodMeta getPod(String name) {
      Map<String, String> a = annotations.get(name);
      return a == null
          ? null
          : new PodMeta(name, Map.of(ContractKeys.UNIT_LABEL, name.replaceAll("-\\d+$", "")), a);
    }
  };

  static MemberReport report(String endpoint) {
    return MemberReport.builder()
        .role(Role.Standby)
        .epoch(2)
        .lastDurableSeq(10)
        .lag(0L)
        .inSync(true)
        .peerLost(false)
        .peerHeartbeatAgeMillis(20L)
        .appHealthy(true)
        .replicationEndpoint(endpoint)
        .reportedAtMillis(1_000)
        .build();
  }

  @Test
  void eachUnitsReplicaReadsItsOwnAssignmentAndWritesItsOwnReport() {
    annotations.put(
        "kv-standby-0",
        Map.of(
            ContractKeys.assignmentAnnotation("shard-a"),
            ContractJson.toJson(new Assignment(Role.Standby, 3, "shard-a-0", "Synchronous")),
            ContractKeys.assignmentAnnotation("shard-b"),
            ContractJson.toJson(new Assignment(Role.Primary, 5, null, "Synchronous"))));
    MemberChannel a = new MemberChannel(
        api, "kv-standby-0", "shard-a", Clock.systemUTC(), Duration.ofSeconds(10));
    MemberChannel b = new MemberChannel(
        api, "kv-standby-0", "shard-b", Clock.systemUTC(), Duration.ofSeconds(10));
    List<Assignment> seenA = new ArrayList<>();
    List<Assignment> seenB = new ArrayList<>();
    a.onAssignment(seenA::add);
    b.onAssignment(seenB::add);
    assertThat(seenA)
        .extracting(Assignment::role, Assignment::epoch)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Role.Standby, 3L));
    assertThat(seenB)
        .extracting(Assignment::role, Assignment::epoch)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Role.Primary, 5L));
    assertThat(a.unit()).as("known before the pod's labels say anything").isEqualTo("shard-a");

    a.publish(report("10.0.0.9:7491"));
    assertThat(patches)
        .singleElement()
        .asString()
        .startsWith("kv-standby-0 {\"metadata\":{\"annotations\":{\""
            + ContractKeys.reportAnnotation("shard-a") + "\"");
  }

  @Test
  void aDedicatedPrimaryFindsItsPooledStandbysEndpointUnderItsUnitsKey() {
    annotations.put("shard-a-0", Map.of());
    annotations.put(
        "kv-standby-0",
        Map.of(
            ContractKeys.reportAnnotation("shard-b"), ContractJson.toJson(report("10.0.0.9:7492")),
            ContractKeys.reportAnnotation("shard-a"),
                ContractJson.toJson(report("10.0.0.9:7491"))));
    MemberChannel primary = new MemberChannel(api, "shard-a-0", Clock.systemUTC());
    primary.onAssignment(x -> {});
    assertThat(primary.peerReplicationEndpoint("kv-standby-0")).isEqualTo("10.0.0.9:7491");
  }
}
