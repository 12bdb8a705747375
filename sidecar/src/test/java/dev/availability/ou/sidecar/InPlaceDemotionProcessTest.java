package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary whose application crashed keeps a live sidecar: after its standby is promoted, the operator assigns that
 * sidecar Standby at the new epoch without restarting it, and it must serve as the new primary's in-sync standby at
 * once, from its own log (no snapshot), so that a primary that may not acknowledge alone (dataDurability Required)
 * serves again without waiting for a new pod.
 */
class InPlaceDemotionProcessTest {
  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair;

  SidecarProcess a; // the primary at first
  SidecarProcess b; // its standby at first

  @BeforeEach
  void setUp() throws Exception {
    pair = SidecarPair.in(root);
    a = pair.primary;
    b = pair.standby;
  }

  @Test
  void aLivePrimaryAssignedStandbyAtTheNextEpochCatchesUpFromItsLogAndTheNewPrimaryAcknowledges()
      throws Exception {
    pair.start();
    try (OuClient c = a.client()) {
      for (int i = 1; i <= 100; i++) c.put("k" + i, ("v" + i).getBytes());
    }
    // The failover: b promoted at epoch 2 towards a; then a, still running, told it is b's standby.
    pair.failOverKeepingThePrimaryAsStandby(2);
    // Required durability: these are acknowledged only once a holds them too.
    try (OuClient cb = b.client()) {
      for (int i = 101; i <= 150; i++) cb.put("k" + i, ("v" + i).getBytes());
      assertThat(a.status().durableSeq()).isGreaterThanOrEqualTo(cb.status().lastSeq());
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Map<String, byte[]> mb = b.all();
      Map<String, byte[]> ma = a.all();
      assertThat(ma.keySet()).isEqualTo(mb.keySet()).hasSize(150);
    });
    assertThat(a.counter("snapshotsInstalled")).isZero();
    assertThat(b.counter("snapshotsSent")).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(a.http("/readyz")).startsWith("200"));
  }
}
