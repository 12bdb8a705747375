package dev.availability.ou.kubelet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The faults, by command: {@code testenv/local-cluster kill-node|partition-node|heal-node|kill-container} POST
 * here (an HTTP server on loopback whose address is in {@code <work dir>/control-address}); GET /status lists
 * the nodes and their pods.
 */
final class ControlServer implements AutoCloseable {
  private final HttpServer server;

  ControlServer(Kubelet kubelet, Path workDir) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", ex -> handle(kubelet, ex));
    server.start();
    Path address = workDir.resolve("control-address");
    Files.writeString(address, "127.0.0.1:" + server.getAddress().getPort() + "\n");
  }

  private static void handle(Kubelet kubelet, HttpExchange ex) throws IOException {
    String[] p = ex.getRequestURI().getPath().replaceFirst("^/", "").split("/");
    int code = 200;
    String body;
    try {
      boolean post = ex.getRequestMethod().equals("POST");
      switch (p[0]) {
        case "kill-node" -> {
          if (post && p.length == 2) kubelet.killNode(p[1]);
          else throw usage();
          body = "node " + p[1] + " killed";
        }
        case "partition-node" -> {
          if (post && p.length == 2) kubelet.partitionNode(p[1]);
          else throw usage();
          body = "node " + p[1] + " partitioned";
        }
        case "heal-node" -> {
          if (post && p.length == 2) kubelet.healNode(p[1]);
          else throw usage();
          body = "node " + p[1] + " healed";
        }
        case "kill-container" -> {
          if (post && p.length == 4) kubelet.killContainer(p[1], p[2], p[3]);
          else throw usage();
          body = "container " + p[3] + " of " + p[1] + "/" + p[2] + " killed";
        }
        case "status" ->
          body = kubelet.nodeStates().entrySet().stream()
              .sorted(java.util.Map.Entry.comparingByKey())
              .map(e -> e.getKey() + " " + e.getValue() + " "
                  + kubelet.on(e.getKey()).stream()
                      .map(w -> w.name() + "@" + w.ip())
                      .toList())
              .collect(Collectors.joining("\n"));
        default -> throw usage();
      }
    } catch (IllegalArgumentException e) {
      code = 400;
      body = e.getMessage();
    } catch (RuntimeException e) {
      code = 500;
      body = e.toString();
    }
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(code, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static IllegalArgumentException usage() {
    return new IllegalArgumentException(
        "POST /kill-node/NODE, /partition-node/NODE, /heal-node/NODE, /kill-container/NAMESPACE/POD/CONTAINER; GET /status");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
