package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
  private static final Map<String, String> POOL = Map.of(
      "OU_CONTROL", "standalone",
      "OU_POOL_UNITS", "shard-a:7601, shard-b:7602",
      "OU_REPLICATION_ADDRESS", "127.0.0.9:7480",
      "OU_DATA_DIR", "/data",
      "OU_PEER_KEY_DIR", "/keys",
      "OU_MEMBER_NAME", "pool-0",
      "OU_MODE", "Journal");

  @Test
  void withoutPoolSettingsTheSidecarIsNotPooled() {
    assertThat(PoolConfig.from(Map.of("OU_CONTROL", "standalone"), new String[0]))
        .isNull();
  }

  @Test
  void eachUnitGetsItsOwnDataDirectoryListenerAndKeyAndSharesTheRest() {
    PoolConfig pool = PoolConfig.from(POOL, new String[0]);
    assertThat(pool.unitNames()).containsExactly("shard-a", "shard-b");
    Config b = pool.unitConfig("shard-b", pool.units().get("shard-b"));
    assertThat(b.dataDir()).isEqualTo(Path.of("/data/shard-b"));
    assertThat(b.replication().getHostString()).isEqualTo("127.0.0.9");
    assertThat(b.replication().getPort()).isEqualTo(7602);
    assertThat(b.advertisedEndpoint()).isEqualTo("127.0.0.9:7602");
    assertThat(b.peerKeyFile()).isEqualTo(Path.of("/keys/shard-b"));
    assertThat(b.memberName()).isEqualTo("pool-0/shard-b");
    assertThat(b.mode()).isEqualTo(Mode.JOURNAL);
  }

  @Test
  void aPoolMayStartEmptyAndTakeUnitsLater() {
    PoolConfig pool =
        PoolConfig.from(Map.of("OU_CONTROL", "standalone", "OU_POOL", "true"), new String[0]);
    assertThat(pool.units()).isEmpty();
    assertThat(pool.peerKeyDir()).isEqualTo(Path.of("/etc/ou/peer-keys"));
  }

  @Test
  void badPoolSettingsAreRefusedSayingWhatToSet() {
    assertThatThrownBy(() -> PoolConfig.from(Map.of("OU_POOL_UNITS", "u1"), new String[0]))
        .hasMessageContaining("expected unit:port");
    assertThatThrownBy(
            () -> PoolConfig.from(Map.of("OU_POOL_UNITS", "u1:7601,u1:7602"), new String[0]))
        .hasMessageContaining("names u1 twice");
    assertThatThrownBy(() -> PoolConfig.from(Map.of("OU_POOL_UNITS", "U_1:7601"), new String[0]))
        .hasMessageContaining("not a unit name: 'U_1'");
    assertThatThrownBy(() -> PoolConfig.from(
            Map.of("OU_POOL_UNITS", "u1:7601", "OU_ROLE", "Primary"), new String[0]))
        .hasMessageContaining("starts its units as standbys");
    assertThatThrownBy(() -> PoolConfig.from(
            Map.of("OU_POOL_UNITS", "u1:7601", "OU_POD_NAME", "pool-0"), new String[0]))
        .hasMessageContaining("OU_POOL_UNITS is for OU_CONTROL=standalone", "set OU_POOL=true");
    assertThatThrownBy(() ->
            PoolConfig.from(Map.of("OU_POOL", "true", "OU_POOL_PORTS", "7700-7600"), new String[0]))
        .hasMessageContaining(
            "OU_POOL_PORTS: expected a range of ports first-last, got '7700-7600'");
  }

  @Test
  void underKubernetesUnitsJoiningLaterTakeTheLowestFreePortOfTheRange() {
    PoolConfig pool = PoolConfig.from(
        Map.of(
            "OU_POOL", "true",
            "OU_POD_NAME", "kv-standby-0",
            "OU_NAMESPACE", "ns",
            "OU_POD_IP", "10.0.0.9",
            "OU_POOL_PORTS", "7601-7603"),
        new String[0]);
    assertThat(pool.base().control()).isEqualTo("kubernetes");
    assertThat(pool.units()).isEmpty();
    assertThat(pool.freeAddress(List.of())).isEqualTo(new InetSocketAddress("10.0.0.9", 7601));
    assertThat(pool.freeAddress(List.of(7601, 7603)).getPort()).isEqualTo(7602);
    assertThatThrownBy(() -> pool.freeAddress(List.of(7601, 7602, 7603)))
        .hasMessageContaining("all 3 ports of OU_POOL_PORTS (7601-7603) are taken");
    Config unit = pool.unitConfig("shard-a", pool.freeAddress(List.of()));
    assertThat(unit.advertisedEndpoint()).isEqualTo("10.0.0.9:7601");
    assertThat(unit.podName()).isEqualTo("kv-standby-0");
  }
}
