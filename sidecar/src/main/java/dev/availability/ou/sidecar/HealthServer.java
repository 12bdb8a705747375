package dev.availability.ou.sidecar;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A minimal HTTP/1.0 endpoint for kubelet probes and people: {@code /healthz} (the process and its log
 * work), {@code /readyz} (a primary that serves, or a standby in sync), {@code /status} (JSON) and
 * {@code /metrics} (Prometheus text). GET only; anything else gets 404/405.
 */
final class HealthServer implements AutoCloseable {
  private final ServerSocket server;
  private final Supplier<Boolean> live;
  private final Supplier<Boolean> ready;
  private final Supplier<Map<String, String>> status;
  private final Supplier<Map<String, Long>> metrics;
  private volatile boolean running = true;

  HealthServer(Config cfg, Supplier<Boolean> live, Supplier<Boolean> ready, Supplier<Map<String, String>> status,
               Supplier<Map<String, Long>> metrics) throws IOException {
    this.live = live;
    this.ready = ready;
    this.status = status;
    this.metrics = metrics;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(cfg.health(), 16);
    Thread t = new Thread(this::loop, "ou-health-http");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void loop() {
    while (running) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(2000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null) continue;
        String[] parts = line.split(" ");
        String body;
        int code;
        String type = "text/plain";
        if (parts.length < 2 || !parts[0].equals("GET")) {
          code = 405;
          body = "method not allowed\n";
        } else {
          switch (parts[1]) {
            case "/healthz", "/livez" -> {
              boolean ok = live.get();
              code = ok ? 200 : 503;
              body = ok ? "ok\n" : "log write failed\n";
            }
            case "/readyz" -> {
              boolean ok = ready.get();
              code = ok ? 200 : 503;
              body = ok ? "ready\n" : "not ready\n";
            }
            case "/status" -> {
              code = 200;
              type = "application/json";
              body = json(status.get());
            }
            case "/metrics" -> {
              code = 200;
              StringBuilder sb = new StringBuilder();
              metrics.get().forEach((k, v) -> sb.append("ou_sidecar_").append(k.replaceAll("[^A-Za-z0-9_]", "_")).append(' ').append(v).append('\n'));
              body = sb.toString();
            }
            default -> {
              code = 404;
              body = "not found\n";
            }
          }
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.0 " + code + (code == 200 ? " OK" : " Error") + "\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
      } catch (IOException e) {
        // a broken probe connection
      }
    }
  }

  static String json(Map<String, String> m) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(escape(e.getKey())).append("\":");
      String v = e.getValue();
      if (v != null && (v.matches("-?\\d{1,18}") || v.equals("true") || v.equals("false"))) sb.append(v);
      else if (v == null) sb.append("null");
      else sb.append('"').append(escape(v)).append('"');
    }
    return sb.append("}\n").toString();
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    running = false;
    server.close();
  }
}
