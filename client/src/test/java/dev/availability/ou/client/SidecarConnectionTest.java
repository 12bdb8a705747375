package dev.availability.ou.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SidecarConnectionTest {
  /**
   * A sidecar past its connection cap: the preface, one id-0 UNAVAILABLE error, then it reads and drops what
   * the client sends until the client closes (as LocalConnectionRefusal does).
   */
  private static ServerSocket refusingSidecar(String words) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(() -> {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        in.readNBytes(4);
        byte[] m = words.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream()
            .write(ByteBuffer.allocate(4 + 9 + m.length)
                .put(LocalProtocol.PREFACE)
                .putInt(5 + m.length)
                .putInt(0)
                .put((byte) LocalProtocol.UNAVAILABLE)
                .put(m)
                .array());
        s.shutdownOutput();
        while (in.read(new byte[4096]) >= 0) {
          // dropped
        }
      } catch (IOException e) {
        // the client left
      }
    });
    return server;
  }

  /**
   * A request that races the reader thread's close after a connection-level error fails with the sidecar's
   * words, not with the "Socket closed" its own write meets on the socket the reader just closed. Before, the
   * writer's close completed the request with its own reason: a client refused past the connection cap was
   * told "connection to the sidecar broke: Socket closed" now and then (StalledLocalClientProcessTest).
   */
  @Test
  void aRequestRacingTheCloseAfterAConnectionLevelErrorFailsWithTheSidecarsWords()
      throws Exception {
    try (ServerSocket server =
        refusingSidecar("this sidecar serves at most 4 local API connections at once")) {
      SidecarConnection c = new SidecarConnection(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!c.broken && System.nanoTime() < deadline)
        Thread.sleep(5); // the reader has read the error and closed the socket
      assertThat(c.broken).isTrue();
      // the interleaving of a caller that found the connection not yet broken and sent on it
      // meanwhile
      CompletableFuture<SidecarConnection.Response> f = c.send(LocalProtocol.OP_PING, new byte[0]);
      assertThat(f)
          .failsWithin(5, TimeUnit.SECONDS)
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(SidecarUnavailableException.class)
          .withMessageContaining("4 local API connections");
    }
  }
}
