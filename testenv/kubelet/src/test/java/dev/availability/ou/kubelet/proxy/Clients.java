package dev.availability.ou.kubelet.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Client sockets for tests, closed together; a read that blocks longer than {@link #HANG_MILLIS} fails the test. */
final class Clients implements AutoCloseable {
  /** How long a connect or read may block before the test calls it a hang. */
  static final int HANG_MILLIS = 5_000;

  private final List<Socket> sockets = new ArrayList<>();

  Socket connect(InetSocketAddress address) throws IOException {
    Socket socket = open();
    socket.connect(address, HANG_MILLIS);
    return socket;
  }

  /**
   * A connection to {@code address} is reset (possibly before the client's connect returns, so fast it comes) or ended,
   * rather than left hanging.
   */
  void assertRejected(InetSocketAddress address) throws IOException {
    Socket socket = open();
    try {
      socket.connect(address, HANG_MILLIS);
    } catch (SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
      return;
    }
    assertEndedByPeer(socket);
  }

  /** The peer ended the connection (an end of stream or a reset), rather than leaving the read hanging. */
  static void assertEndedByPeer(Socket client) throws IOException {
    try {
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      fail("no end of stream nor reset within " + HANG_MILLIS + " ms");
    } catch (SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
  }

  /**
   * Connects to a listener that never accepts until the kernel drops further SYNs (its accept queue is full): from then
   * on, a connect there does not complete.
   */
  void fillAcceptQueue(InetSocketAddress silent) throws IOException {
    for (int i = 0; i < 16; i++) {
      try {
        open().connect(silent, 500);
      } catch (SocketTimeoutException full) {
        return;
      }
    }
    fail("the accept queue of " + silent + " did not fill");
  }

  static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
  }

  private Socket open() throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.setSoTimeout(HANG_MILLIS);
    return socket;
  }

  @Override
  public void close() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
