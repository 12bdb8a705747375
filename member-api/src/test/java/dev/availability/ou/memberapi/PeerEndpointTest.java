package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where a primary looks for its standby: the endpoint the standby reports; before a member of its own unit has
 * reported, that member's pod address on the primary's own replication port (a new standby's sidecar reports once
 * it is up, after its pod has had an address for a second or two); never a guess for a pool's pod, whose ports are
 * per unit.
 */
class PeerEndpointTest {
  final Map<String, MemberApi.PodMeta> pods = new HashMap<>();

  final MemberApi api = new PodReadingApi() {
    @Override
    public PodMeta getPod(String name) {
      return pods.get(name);
    }
  };

  private MemberChannel primaryOf(String unit) {
    pods.put(
        "kv-1",
        new MemberApi.PodMeta("kv-1", Map.of(ContractKeys.UNIT_LABEL, unit), Map.of(), "10.0.0.1"));
    MemberChannel c =
        new MemberChannel(api, "kv-1", null, Clock.systemUTC(), Duration.ofSeconds(10));
    c.onAssignment(a -> {}); // learns its unit from its pod's label
    return c;
  }

  private static String report(String endpoint) {
    return ContractJson.toJson(MemberReport.builder()
        .role(Role.Standby)
        .epoch(2)
        .lastDurableSeq(0)
        .lag(0L)
        .inSync(false)
        .peerLost(true)
        .peerHeartbeatAgeMillis(0L)
        .appHealthy(true)
        .replicationEndpoint(endpoint)
        .reportedAtMillis(1_000)
        .build());
  }

  @Test
  void aNewStandbyOfTheUnitIsTriedAtItsPodAddressUntilItReports() {
    MemberChannel primary = primaryOf("kv");
    pods.put(
        "kv-2",
        new MemberApi.PodMeta("kv-2", Map.of(ContractKeys.UNIT_LABEL, "kv"), Map.of(), null));
    assertThat(primary.peerReplicationEndpoint("kv-2", 7480))
        .as("no address yet")
        .isNull();

    pods.put(
        "kv-2",
        new MemberApi.PodMeta("kv-2", Map.of(ContractKeys.UNIT_LABEL, "kv"), Map.of(), "10.0.0.2"));
    assertThat(primary.peerReplicationEndpoint("kv-2", 7480)).isEqualTo("10.0.0.2:7480");
    assertThat(primary.peerReplicationEndpoint("kv-2", 0))
        .as("no port: no guess")
        .isNull();
    assertThat(primary.peerReplicationEndpoint("kv-2")).isNull();

    pods.put(
        "kv-2",
        new MemberApi.PodMeta(
            "kv-2",
            Map.of(ContractKeys.UNIT_LABEL, "kv"),
            Map.of(ContractKeys.REPORT_ANNOTATION, report("127.0.0.9:7000")),
            "10.0.0.2"));
    assertThat(primary.peerReplicationEndpoint("kv-2", 7480))
        .as("what it reports wins")
        .isEqualTo("127.0.0.9:7000");
  }

  @Test
  void aPodOfAnotherUnitOrAPoolIsNeverGuessed() {
    MemberChannel primary = primaryOf("kv");
    pods.put(
        "other-2",
        new MemberApi.PodMeta(
            "other-2", Map.of(ContractKeys.UNIT_LABEL, "other"), Map.of(), "10.0.0.3"));
    pods.put(
        "kv-pool-standby-0",
        new MemberApi.PodMeta("kv-pool-standby-0", Map.of(), Map.of(), "10.0.0.4"));
    assertThat(primary.peerReplicationEndpoint("other-2", 7480)).isNull();
    assertThat(primary.peerReplicationEndpoint("kv-pool-standby-0", 7480)).isNull();
  }
}
