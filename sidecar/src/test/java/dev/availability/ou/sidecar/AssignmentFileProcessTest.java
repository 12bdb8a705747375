package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ContractJson;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new standby whose API server does not answer yet (a cold JVM's first TLS handshake on a loaded node; here a socket
 * that never replies) still follows its primary: it takes its role from the assignment file the kubelet wrote before
 * it started, so a Synchronous primary that may not acknowledge alone gets its writes acknowledged. Real sidecar
 * processes. Without the file the standby has no role until its first read through the API server, accepts no
 * replication connection, and no write here is ever acknowledged.
 */
class AssignmentFileProcessTest {
  @TempDir
  Path root;

  @AutoClose // kills both sidecars after each test
  SidecarPair pair;

  @AutoClose
  ServerSocket silentApiServer;

  @Test
  void aNewStandbyFollowsItsPrimaryBeforeItsApiServerAnswers() throws Exception {
    // Accepts connections (the kernel does) and never answers one.
    silentApiServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pair = SidecarPair.in(root);
    Path assignment = Files.writeString(
        root.resolve("assignment"),
        ContractJson.toJson(new Assignment(Role.Standby, 3, "a", "Synchronous")));
    // Kubernetes control: the standalone role the pair gives it (OU_ROLE) is not read.
    pair.standby
        .with("OU_CONTROL", "kubernetes")
        .with("OU_POD_NAME", "b")
        .with("OU_NAMESPACE", "test")
        .with("OU_API_SERVER", "http://127.0.0.1:" + silentApiServer.getLocalPort())
        .with("OU_API_TOKEN_FILE", Files.writeString(root.resolve("token"), "t").toString())
        .with("OU_ASSIGNMENT_FILE", assignment.toString())
        .launch(); // its local API opens only after its first read through the API server
    pair.primary.with("OU_EPOCH", "3").with("OU_SYNC_TIMEOUT", "2s");
    pair.startPrimary();

    try (OuClient client = pair.primary.client()) {
      long seq = await()
          .atMost(Duration.ofSeconds(40))
          .ignoreExceptions()
          .until(() -> client.put("acknowledged-with-the-standby", "v".getBytes()), s -> s > 0);
      assertThat(seq).isPositive();
      assertThat(client.status().fields().get("acknowledgingAlone"))
          .as("the primary acknowledges with its standby (dataDurability Required)")
          .isEqualTo("false");
    }
    assertThat(pair.standby.alive()).isTrue();
  }
}
