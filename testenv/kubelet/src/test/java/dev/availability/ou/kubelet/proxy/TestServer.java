package dev.availability.ou.kubelet.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP server on 127.0.0.1 (an ephemeral port) that runs a handler per connection on a virtual thread. */
final class TestServer implements AutoCloseable {

  /** What the server does with one connection. */
  interface Handler {
    void handle(Socket socket) throws IOException;
  }

  private final ServerSocket listener;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  TestServer(Handler handler) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (!listener.isClosed()) {
        try {
          Socket socket = listener.accept();
          sockets.add(socket);
          Thread.ofVirtual().start(() -> {
            try (socket) {
              handler.handle(socket);
            } catch (IOException ignored) {
              // the peer went away
            }
          });
        } catch (IOException closed) {
          return;
        }
      }
    });
  }

  /** Writes {@code name} and a newline, then echoes every byte until the end of the stream. */
  static TestServer identifyingEcho(String name) throws IOException {
    return new TestServer(socket -> {
      socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
      socket.getInputStream().transferTo(socket.getOutputStream());
    });
  }

  InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** Reads one line (without its newline); null at the end of the stream. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return line.isEmpty() ? null : line.toString();
      }
      line.append((char) b);
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
