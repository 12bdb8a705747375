package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar whose API server does not answer yet is live and not ready: its control asks for the pod's first list for
 * up to 30 s (PodWatches.firstList), and a /healthz that did not answer meanwhile had the kubelet restart the sidecar
 * after three liveness failures (the pool drill, two loaded cores: a new primary's sidecar killed 10 s after its
 * start). A real sidecar process against an API server that accepts connections and never answers.
 */
class HealthWhileStartingProcessTest {
  @TempDir
  Path root;

  SidecarProcess sidecar;
  ServerSocket silentApiServer;
  final List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    if (sidecar != null) sidecar.stop();
    for (Socket s : held) s.close();
    if (silentApiServer != null) silentApiServer.close();
  }

  @Test
  void itAnswersItsLivenessProbeAndSaysItIsStartingWhileTheApiServerDoesNotAnswer()
      throws Exception {
    silentApiServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accepter = new Thread(() -> {
      try {
        while (true) held.add(silentApiServer.accept()); // accepted, never answered
      } catch (java.io.IOException closed) {
        // the test is over
      }
    });
    accepter.setDaemon(true);
    accepter.start();
    Path token = Files.writeString(root.resolve("token"), "t");
    String net = SidecarProcess.freshNet();
    sidecar = new SidecarProcess("a", net + "1", root, SidecarProcess.newKey(root))
        .with("OU_CONTROL", "kubernetes")
        .with("OU_NAMESPACE", "ns")
        .with("OU_POD_NAME", "a-0")
        .with("OU_API_SERVER", "http://127.0.0.1:" + silentApiServer.getLocalPort())
        .with("OU_API_TOKEN_FILE", token.toString())
        .with("OU_API_CA_FILE", token.toString())
        .launch();

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> sidecar.http("/healthz").startsWith("200"));
    await("its control asks the API server")
        .atMost(Duration.ofSeconds(20))
        .until(() -> !held.isEmpty());
    assertThat(sidecar.http("/readyz")).startsWith("503").contains("starting");
    for (int i = 0; i < 3; i++) {
      Thread.sleep(1000);
      assertThat(sidecar.alive()).isTrue();
      assertThat(sidecar.http("/healthz"))
          .as("still waiting for the API server")
          .startsWith("200");
    }
  }
}
