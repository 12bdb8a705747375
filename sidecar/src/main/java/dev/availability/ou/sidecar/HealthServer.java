package dev.availability.ou.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A minimal HTTP/1.0 endpoint for kubelet probes and people: {@code /healthz} (the process and its log
 * work), {@code /readyz} (a primary that serves, or a standby in sync), {@code /status} (JSON) and
 * {@code /metrics} (Prometheus text). GET only; anything else gets 404/405. Every caller is served on its own
 * (virtual) thread against one deadline per request, with a bounded request line and a bounded number of
 * connections (the oldest closed first): a stalled or hostile caller never fails a kubelet probe.
 */
final class HealthServer implements AutoCloseable {
  /** A request line longer than this is refused: probes send a few dozen bytes. */
  static final int MAX_REQUEST_LINE = 2048;
  /** The most connections served at once; one more closes the oldest (a stalled caller, not a probe that takes ms). */
  static final int MAX_CONNECTIONS = 32;
  /** The most one request may take, from accept to answer, whatever its caller does meanwhile. */
  static final long DEADLINE_MILLIS = 1000;

  private final ServerSocket server;
  private final Supplier<Boolean> live;
  private final Supplier<Boolean> ready;
  private final Supplier<Map<String, String>> status;
  private final Supplier<Map<String, Long>> metrics;
  // Each request on a virtual thread of its own: a caller that drips its request holds only its own
  // thread.
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ConcurrentLinkedDeque<Socket> open = new ConcurrentLinkedDeque<>();
  private volatile boolean running = true;

  HealthServer(
      Config cfg,
      Supplier<Boolean> live,
      Supplier<Boolean> ready,
      Supplier<Map<String, String>> status,
      Supplier<Map<String, Long>> metrics)
      throws IOException {
    this.live = live;
    this.ready = ready;
    this.status = status;
    this.metrics = metrics;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(cfg.health(), 64);
    Thread t = new Thread(this::loop, "ou-health-http");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void loop() {
    while (running) {
      try {
        Socket s = server.accept();
        while (open.size() >= MAX_CONNECTIONS) closeQuietly(open.pollFirst());
        open.addLast(s);
        handlers.execute(() -> serve(s));
      } catch (IOException e) {
        // a connection that failed while being accepted; the server goes on
      }
    }
  }

  private void serve(Socket s) {
    long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000L;
    try (s) {
      String line = requestLine(s, deadline);
      if (line == null) return;
      respond(s, line);
    } catch (IOException e) {
      // a broken, stalled or oversized request: its connection is closed, nobody else waits for it
    } finally {
      open.remove(s);
    }
  }

  /** The request line, read byte by byte against one deadline for the whole line (not per read); null when none came. */
  private static String requestLine(Socket s, long deadline) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0)
        throw new SocketTimeoutException(
            "request line not complete within " + DEADLINE_MILLIS + " ms");
      s.setSoTimeout((int) Math.max(1, left));
      int b = in.read();
      if (b < 0) return line.isEmpty() ? null : line.toString();
      if (b == '\n') return line.toString().strip();
      if (line.length() >= MAX_REQUEST_LINE)
        throw new IOException("request line longer than " + MAX_REQUEST_LINE + " bytes");
      line.append((char) b);
    }
  }

  private void respond(Socket s, String line) throws IOException {
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
          metrics
              .get()
              .forEach((k, v) -> sb.append("ou_sidecar_")
                  .append(k.replaceAll("[^A-Za-z0-9_]", "_"))
                  .append(' ')
                  .append(v)
                  .append('\n'));
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
    out.write(("HTTP/1.0 " + code + (code == 200 ? " OK" : " Error") + "\r\nContent-Type: " + type
            + "\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
  }

  private static void closeQuietly(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  static String json(Map<String, String> m) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(escape(e.getKey())).append("\":");
      String v = e.getValue();
      if (v != null && (v.matches("-?\\d{1,18}") || v.equals("true") || v.equals("false")))
        sb.append(v);
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
    handlers.shutdownNow();
    open.forEach(HealthServer::closeQuietly);
  }
}
