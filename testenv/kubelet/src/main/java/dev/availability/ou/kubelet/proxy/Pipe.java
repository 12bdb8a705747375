package dev.availability.ou.kubelet.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The bytes of one forwarded connection, copied both ways by two virtual threads. When one side ends its stream, the
 * other side's output is shut down (a half-close, passed on) and the other direction goes on; once both directions have
 * ended, both sockets are closed. An error on either side resets both (as a connection through a real ClusterIP sees
 * its peer's reset).
 */
final class Pipe {
  private static final int BUFFER = 16 * 1024;

  private final Socket client;
  private final Socket upstream;
  private final Consumer<Pipe> onEnd;
  private final AtomicInteger directionsOpen = new AtomicInteger(2);
  private final AtomicBoolean ended = new AtomicBoolean();

  /** {@code onEnd} runs once, when both sockets are closed. */
  Pipe(Socket client, Socket upstream, Consumer<Pipe> onEnd) {
    this.client = client;
    this.upstream = upstream;
    this.onEnd = onEnd;
  }

  void start() {
    Thread.ofVirtual().name("proxy-pipe-up").start(() -> copy(client, upstream));
    Thread.ofVirtual().name("proxy-pipe-down").start(() -> copy(upstream, client));
  }

  /** Resets both sockets at once (the client and the endpoint see a reset). */
  void abort() {
    reset(client);
    reset(upstream);
    end();
  }

  private void copy(Socket from, Socket to) {
    byte[] buffer = new byte[BUFFER];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      abort();
      return;
    }
    if (directionsOpen.decrementAndGet() == 0) {
      closeQuietly(client);
      closeQuietly(upstream);
      end();
    }
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.accept(this);
    }
  }

  /** Closes with SO_LINGER 0, so the peer gets a reset instead of an orderly end of stream. */
  static void reset(Socket socket) {
    try {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException ignored) {
      // closing below is what matters
    }
    closeQuietly(socket);
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to do with it
    }
  }
}
