package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.StandbyUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OU_DATA_DURABILITY (spec.replication.dataDurability) with real sidecar processes: a Synchronous primary
 * without a standby waits for one when it is required, acknowledges alone when it is preferred, and from the
 * moment a standby's session starts acknowledges nothing that standby does not hold.
 */
class DataDurabilityProcessTest {
  @TempDir
  Path root;

  String net;
  Path key;
  SidecarProcess a;
  SidecarProcess b;
  SidecarProcess c;

  @BeforeEach
  void setUp() throws Exception {
    net = SidecarProcess.freshNet();
    key = SidecarProcess.newKey(root);
    a = new SidecarProcess("a", net + "1", root, key);
    b = new SidecarProcess("b", net + "2", root, key);
    c = new SidecarProcess("c", net + "3", root, key);
  }

  @AfterEach
  void tearDown() throws Exception {
    a.close();
    b.close();
    c.close();
  }

  @Test
  void aPrimaryWithoutAStandbyWaitsWhenDurabilityIsRequired() throws Exception {
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "2")
        .with("OU_SYNC_TIMEOUT", "500ms")
        .start();
    try (OuClient client = a.client()) {
      assertThatThrownBy(() -> client.put("k", "v".getBytes()))
          .isInstanceOf(StandbyUnavailableException.class);
      assertThat(client.status().fields()).containsEntry("acknowledgingAlone", "false");
    }
  }

  @Test
  void
      aPrimaryWithoutAStandbyAcknowledgesAloneWhenDurabilityIsPreferredUntilAStandbysSessionStarts()
          throws Exception {
    a.with("OU_DATA_DURABILITY", "preferred")
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "2")
        .with("OU_SYNC_TIMEOUT", "500ms")
        .start();
    try (OuClient client = a.client()) {
      ReplicationProcessTest.putMany(client, "alone", 1, 100);
      assertThat(client.status().fields()).containsEntry("acknowledgingAlone", "true");

      // The operator creates a standby and names it the primary's peer: its session ends
      // acknowledging alone.
      b.with("OU_ROLE", "Standby").with("OU_EPOCH", "2").start();
      client.assign(MemberRole.PRIMARY, 2, b.replicationEndpoint(), "Synchronous");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "false".equals(client.status().fields().get("acknowledgingAlone")));
      for (int i = 1; i <= 200; i++) {
        long seq = client.put("with-standby" + i, ("v" + i).getBytes());
        // Held by the standby when acknowledged: were the primary still acknowledging alone, the
        // standby could call itself in sync (it reached the position told at its session's start)
        // without these.
        assertThat(b.status().durableSeq())
            .as("standby's durable position when write %d (seq %d) was acknowledged", i, seq)
            .isGreaterThanOrEqualTo(seq);
      }
    }
    ReplicationProcessTest.assertSameState(a, b);
    assertThat(b.all()).containsKey("alone100").containsKey("with-standby200");
  }

  @Test
  void aPrimaryWhoseStandbyIsReplacedAcknowledgesAloneOnlyWhenDurabilityIsPreferred()
      throws Exception {
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    a.with("OU_DATA_DURABILITY", "preferred")
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_SYNC_TIMEOUT", "500ms")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    try (OuClient client = a.client()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "false".equals(client.status().fields().get("acknowledgingAlone")));
      ReplicationProcessTest.putMany(client, "k", 1, 20);
      b.kill();
      // The standby is gone but still the primary's peer: a write waits for it (no acknowledging
      // alone behind the back of a standby that may still call itself in sync).
      assertThatThrownBy(() -> client.put("while-standby-lost", "v".getBytes()))
          .isInstanceOf(StandbyUnavailableException.class);
      // The operator replaces it: the new peer is not up yet, so the primary acknowledges alone...
      client.assign(MemberRole.PRIMARY, 1, c.replicationEndpoint(), "Synchronous");
      ReplicationProcessTest.putMany(client, "replaced", 1, 20);
      // ...until the new standby's session starts; then the new standby holds all of it.
      c.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "false".equals(client.status().fields().get("acknowledgingAlone")));
      long seq = client.put("after", "v".getBytes());
      assertThat(c.status().durableSeq()).isGreaterThanOrEqualTo(seq);
    }
    assertThat(c.all()).containsKey("k20").containsKey("replaced20").containsKey("after");
  }
}
