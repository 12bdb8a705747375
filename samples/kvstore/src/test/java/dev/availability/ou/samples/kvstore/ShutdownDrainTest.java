package dev.availability.ou.samples.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After SIGTERM the serving primary serves on until it is deposed, and nothing else does: the rule alone, then the
 * store against two real sidecars (a Synchronous pair on loopback) deposed the way the operator deposes a deleted
 * primary.
 */
class ShutdownDrainTest {
  @TempDir
  Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void onlyTheServingPrimaryDrainsAndNeverPastItsMax() {
    ShutdownDrain drain = new ShutdownDrain(Duration.ofSeconds(25));
    assertThat(drain.stopBecause(false, Duration.ZERO)).contains("not the serving primary");
    assertThat(drain.stopBecause(true, Duration.ofSeconds(24))).isNull();
    assertThat(drain.stopBecause(true, Duration.ofSeconds(25))).contains("KVSTORE_DRAIN_MAX");
    assertThat(ShutdownDrain.fromEnv(null).max()).isEqualTo(Duration.ofSeconds(25));
    assertThat(ShutdownDrain.fromEnv("1.5s").max()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aTerminatedPrimaryServesUntilItsStandbyIsPromoted() throws Exception {
    String net = Sidecar.freshNet();
    Path key = Sidecar.newKey(tmp);
    try (Sidecar a = new Sidecar("a", net + "1", tmp, key).with("OU_MODE", "Synchronous");
        Sidecar b = new Sidecar("b", net + "2", tmp, key).with("OU_MODE", "Synchronous")) {
      b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
      a.with("OU_ROLE", "Primary")
          .with("OU_EPOCH", "1")
          .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
          .start();
      try (KvStore store = new KvStore(
              new InetSocketAddress(a.host, 0),
              new KvStore.SidecarLinkSettings(
                  a.apiAddress(), Duration.ofSeconds(10), Duration.ofSeconds(2)),
              "member-a")
          .start()) {
        await("a serves writes")
            .atMost(Duration.ofSeconds(30))
            .until(() -> put(a, store, "before") == 200);

        Thread drainer = Thread.ofPlatform()
            .start(() -> KvStoreMain.drain(store, new ShutdownDrain(Duration.ofSeconds(60))));
        Thread.sleep(300);
        assertThat(drainer.isAlive()).as("the serving primary drains").isTrue();
        assertThat(put(a, store, "while-draining"))
            .as("a write after SIGTERM is still acknowledged")
            .isEqualTo(200);

        long deposed = System.nanoTime();
        b.assign(MemberRole.PRIMARY, 2, null, null);
        a.assign(MemberRole.STANDBY, 2, b, null);
        drainer.join(Duration.ofSeconds(10));
        assertThat(drainer.isAlive())
            .as("the drain ends once the member is deposed, long before its max")
            .isFalse();
        assertThat((System.nanoTime() - deposed) / 1_000_000).isLessThan(10_000);
        assertThat(put(a, store, "after")).as("a deposed member serves nothing").isEqualTo(503);
      }
    }
  }

  private int put(Sidecar at, KvStore store, String key) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + at.host + ":" + store.port() + "/kv/" + key))
                .timeout(Duration.ofSeconds(20))
                .PUT(HttpRequest.BodyPublishers.ofString("v"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
