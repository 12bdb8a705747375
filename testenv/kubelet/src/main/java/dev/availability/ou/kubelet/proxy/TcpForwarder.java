package dev.availability.ou.kubelet.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One listening address that forwards each accepted TCP connection to one endpoint, like a ClusterIP port.
 *
 * <p>Each new connection asks {@code endpoints} for the current ready endpoints and takes the next one round-robin. When
 * there is none, or the endpoint does not accept within the connect timeout, the client's socket is reset at once (as
 * kube-proxy rejects: a client sees a reset, never a hang). Established connections keep their endpoint whatever the
 * supplier says later; {@link #close()} resets them all.
 */
public final class TcpForwarder implements AutoCloseable {
  private static final int BACKLOG = 128;

  private final ServerSocket listener;
  private final InetSocketAddress address;
  private final Supplier<List<InetSocketAddress>> endpoints;
  private final int connectTimeoutMillis;
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  // Counted down when the accept loop has left accept(): only then is the listening socket really
  // closed (a close
  // while a thread waits in accept is finished by that thread), so a connection after close() is
  // refused, not reset.
  private final CountDownLatch acceptorDone = new CountDownLatch(1);

  private TcpForwarder(
      ServerSocket listener, Supplier<List<InetSocketAddress>> endpoints, Duration connectTimeout) {
    this.listener = listener;
    this.address = (InetSocketAddress) listener.getLocalSocketAddress();
    this.endpoints = endpoints;
    this.connectTimeoutMillis = Math.toIntExact(connectTimeout.toMillis());
  }

  /** Listens on {@code host} on an ephemeral port and starts accepting. */
  public static TcpForwarder open(
      String host, Supplier<List<InetSocketAddress>> endpoints, Duration connectTimeout)
      throws IOException {
    ServerSocket listener = new ServerSocket();
    try {
      listener.bind(new InetSocketAddress(host, 0), BACKLOG);
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    TcpForwarder forwarder = new TcpForwarder(listener, endpoints, connectTimeout);
    Thread.ofVirtual().name("proxy-accept-" + listener.getLocalPort()).start(forwarder::acceptLoop);
    return forwarder;
  }

  /** Where clients connect. */
  public InetSocketAddress address() {
    return address;
  }

  /** Connections being forwarded now. */
  int connections() {
    return pipes.size();
  }

  private void acceptLoop() {
    try {
      acceptUntilClosed();
    } finally {
      acceptorDone.countDown();
    }
  }

  private void acceptUntilClosed() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          ProxyLog.line("accept on " + HostPort.of(address) + " failed: " + e.getMessage());
          pause();
        }
        continue;
      }
      Thread.ofVirtual().name("proxy-connect").start(() -> forward(client));
    }
  }

  private void forward(Socket client) {
    InetSocketAddress target = pick();
    if (target == null) {
      Pipe.reset(client);
      return;
    }
    Socket upstream = new Socket();
    try {
      upstream.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
      upstream.connect(target, connectTimeoutMillis);
    } catch (IOException e) {
      Pipe.closeQuietly(upstream);
      Pipe.reset(client);
      return;
    }
    Pipe pipe = new Pipe(client, upstream, pipes::remove);
    pipes.add(pipe);
    if (closed) {
      pipe.abort();
      return;
    }
    pipe.start();
  }

  private InetSocketAddress pick() {
    List<InetSocketAddress> ready;
    try {
      ready = endpoints.get();
    } catch (RuntimeException e) {
      return null;
    }
    if (ready == null || ready.isEmpty()) {
      return null;
    }
    return ready.get(Math.floorMod(next.getAndIncrement(), ready.size()));
  }

  /** Stops listening and resets every connection it forwards. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // the listener is gone either way
    }
    try {
      // Seen in CI: a connect right after close() was reset instead of refused, the socket still
      // listening.
      acceptorDone.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Pipe pipe : List.copyOf(pipes)) {
      pipe.abort();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
