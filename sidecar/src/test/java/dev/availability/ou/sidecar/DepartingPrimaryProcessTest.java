package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary's pod being deleted: SIGTERM reaches its sidecar, which stays to be kept as the new primary's standby
 * (ShutdownLinger), serves as that standby from its own log so that the new primary (dataDurability Required)
 * acknowledges at once, and leaves when released. Real sidecar processes.
 */
class DepartingPrimaryProcessTest {
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
  void aTerminatedPrimaryKeptAsTheStandbyServesTheNewPrimaryUntilReleased() throws Exception {
    a.with("OU_SHUTDOWN_KEEP_WINDOW", "3s");
    pair.start();
    try (OuClient c = a.client()) {
      for (int i = 1; i <= 100; i++) c.put("k" + i, ("v" + i).getBytes());
    }
    terminateOnceStarted(a); // SIGTERM, as the kubelet at a pod's deletion
    Thread.sleep(500);
    assertThat(a.alive()).as("a primary's sidecar waits to be kept").isTrue();
    // The failover: b promoted at epoch 2 towards a; a, still running, kept as b's standby.
    pair.failOverKeepingThePrimaryAsStandby(2);
    try (OuClient cb = b.client()) {
      for (int i = 101; i <= 150; i++) cb.put("k" + i, ("v" + i).getBytes());
      assertThat(a.status().durableSeq())
          .as("the new primary acknowledged with the departing member as its standby")
          .isGreaterThanOrEqualTo(cb.status().lastSeq());
    }
    Thread.sleep(3_500); // past the keep window: kept, it stays
    assertThat(a.alive())
        .as("kept as the standby, it stays past the keep window")
        .isTrue();
    assertThat(a.counter("snapshotsInstalled")).isZero();
    try (OuClient ca = a.client()) {
      ca.assign(MemberRole.FENCED, 2, null, "Synchronous");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(a.alive()).as("released, it leaves").isFalse());
    assertThat(a.tail()).contains("leaving: the operator released it");
  }

  @Test
  void aTerminatedPrimaryNobodyKeepsLeavesAfterTheKeepWindow() throws Exception {
    a.with("OU_SHUTDOWN_KEEP_WINDOW", "1s");
    pair.start();
    long t0 = terminateOnceStarted(a);
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.alive());
    assertThat((System.nanoTime() - t0) / 1_000_000)
        .as("stayed for the keep window; its log: %s", a.tail())
        .isGreaterThanOrEqualTo(1_000);
    assertThat(a.tail()).contains("did not keep it as the standby");
  }

  /**
   * SIGTERM once the sidecar's shutdown hook is in place (it logs that it started right after): a SIGTERM while it
   * starts stops it at once. Returns when it was sent (System.nanoTime).
   */
  private static long terminateOnceStarted(SidecarProcess p) {
    await().atMost(Duration.ofSeconds(20)).until(() -> p.tail().contains("ou-sidecar started"));
    long t0 = System.nanoTime();
    p.terminate();
    return t0;
  }
}
