package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
  @Test
  void defaultsUnderKubernetesFollowThePod() {
    Config c = Config.from(
        Map.of("OU_POD_NAME", "web-0", "OU_NAMESPACE", "shop", "OU_POD_IP", "10.1.2.3"),
        new String[0]);
    assertThat(c.control()).isEqualTo("kubernetes");
    assertThat(c.replication().getHostString()).isEqualTo("10.1.2.3");
    assertThat(c.replication().getPort()).isEqualTo(7480);
    assertThat(c.advertisedEndpoint()).isEqualTo("10.1.2.3:7480");
    assertThat(c.localApi().getHostString()).isEqualTo("127.0.0.1");
    assertThat(c.localApi().getPort()).isEqualTo(7481);
    assertThat(c.health().getPort()).isEqualTo(7482);
    assertThat(c.mode()).isEqualTo(Mode.SYNCHRONOUS);
    assertThat(c.fsync().kind()).isEqualTo(FsyncPolicy.Kind.ALWAYS);
    assertThat(c.memberName()).isEqualTo("web-0");
    assertThat(c.localApiMaxConnections()).isEqualTo(32);
  }

  @Test
  void flagsOverrideEnvironmentAndUnitsParse() {
    Config c = Config.from(Map.of("OU_MODE", "Synchronous"), new String[] {
      "--mode=Journal",
      "--log-retention=64Mi",
      "--fsync=interval:50ms",
      "--heartbeat-interval=250ms",
      "--peer-lost-after=3s"
    });
    assertThat(c.control()).isEqualTo("standalone");
    assertThat(c.mode()).isEqualTo(Mode.JOURNAL);
    assertThat(c.logRetentionBytes()).isEqualTo(64L << 20);
    assertThat(c.fsync().intervalMillis()).isEqualTo(50);
    assertThat(c.heartbeatMillis()).isEqualTo(250);
    assertThat(c.peerLostAfterMillis()).isEqualTo(3000);
  }

  @Test
  void badSettingsAreRefusedWithAReason() {
    assertThatThrownBy(() -> Config.from(Map.of("OU_MODE", "eventual"), new String[0]))
        .hasMessageContaining("unknown mode");
    assertThatThrownBy(() -> Config.from(Map.of("OU_FSYNC", "sometimes"), new String[0]))
        .hasMessageContaining("fsync");
    assertThatThrownBy(() -> Config.from(Map.of(), new String[] {"mode"}))
        .hasMessageContaining("--name=value");
    assertThatThrownBy(
            () -> Config.from(Map.of("OU_LOCAL_API_MAX_CONNECTIONS", "0"), new String[0]))
        .hasMessageContaining("OU_LOCAL_API_MAX_CONNECTIONS");
  }

  /** Issue 15 item 12: a size that does not fit in a long is refused in words, never wrapped to a negative or small value. */
  @Test
  void aSizeTooLargeForALongIsRefusedNotWrapped() {
    assertThat(Config.parseBytes("256Mi")).isEqualTo(256L << 20);
    assertThatThrownBy(() -> Config.parseBytes("99999999999Gi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99999999999Gi");
    assertThatThrownBy(
            () -> Config.from(Map.of("OU_LOG_RETENTION", "9999999999999Gi"), new String[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
