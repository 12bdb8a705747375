package dev.availability.ou.kubelet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API server as the pods of one node reach it: a Unix socket per node (a file, so it crosses network
 * namespaces), forwarded to the API server's loopback address. Inside each pod a socat listens on
 * 127.0.0.1:6443 and connects to its node's socket, so in-cluster config (and the API server's certificate,
 * which names 127.0.0.1) works unchanged. Cutting a node closes its connections and refuses new ones.
 */
final class ApiForwarder implements AutoCloseable {
  private final InetSocketAddress apiServer;
  private final Map<String, ServerSocketChannel> listeners = new ConcurrentHashMap<>();
  private final Map<String, Set<SocketChannel>> open = new ConcurrentHashMap<>();
  private final Set<String> cut = ConcurrentHashMap.newKeySet();

  ApiForwarder(InetSocketAddress apiServer) {
    this.apiServer = apiServer;
  }

  void serve(String node, Path socket) throws IOException {
    Files.createDirectories(socket.getParent());
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(
        socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    listeners.put(node, server);
    open.put(node, ConcurrentHashMap.newKeySet());
    Thread.ofVirtual().name("api-" + node).start(() -> accept(node, server));
  }

  private void accept(String node, ServerSocketChannel server) {
    while (server.isOpen()) {
      try {
        SocketChannel pod = server.accept();
        if (cut.contains(node)) {
          pod.close();
          continue;
        }
        SocketChannel api;
        try {
          api = SocketChannel.open(apiServer);
        } catch (IOException e) {
          close(pod); // the API server is down: the pod's client must see it at once, not a
          // connection left hanging
          continue;
        }
        open.get(node).add(pod);
        open.get(node).add(api);
        Thread.ofVirtual().start(() -> pipe(node, pod, api));
        Thread.ofVirtual().start(() -> pipe(node, api, pod));
      } catch (IOException e) {
        if (server.isOpen()) Log.debug("api forwarder of %s: %s", node, e.getMessage());
      }
    }
  }

  private void pipe(String node, SocketChannel from, SocketChannel to) {
    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) to.write(buf);
        buf.clear();
      }
    } catch (IOException e) {
      // closed by the other direction or by a cut
    } finally {
      close(from);
      close(to);
      open.get(node).remove(from);
      open.get(node).remove(to);
    }
  }

  /** The node's pods lose the API server (a partition): open connections close, new ones are refused. */
  void cut(String node) {
    cut.add(node);
    Set<SocketChannel> channels = open.get(node);
    if (channels != null) channels.forEach(ApiForwarder::close);
  }

  void restore(String node) {
    cut.remove(node);
  }

  private static void close(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    listeners.values().forEach(s -> {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    });
    open.values().forEach(set -> set.forEach(ApiForwarder::close));
  }
}
