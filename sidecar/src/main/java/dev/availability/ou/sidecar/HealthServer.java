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

/**
 * A minimal HTTP/1.0 endpoint for kubelet probes and people: {@code /healthz} (the process and its log
 * work), {@code /readyz} (a primary that serves, or a standby in sync), {@code /status} (JSON) and
 * {@code /metrics} (Prometheus text). A pooled sidecar also answers {@code /readyz?unit=U} and {@code /status?unit=U}
 * for one of its units. GET only; anything else gets 404/405. Every caller is served on its own
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

  /** What the endpoint shows. {@code unit}: the request's {@code ?unit=}, null when it names none. */
  interface View {
    /** The process and its logs work. */
    boolean live();

    /** Whether {@code unit} is one this sidecar holds (null: the whole sidecar, always known). */
    boolean knows(String unit);

    /** Empty when ready, else why not, in words. */
    String notReady(String unit);

    /** Lines after the readiness verdict (a pooled sidecar: one per unit); empty by default. */
    default String readinessDetail(String unit) {
      return "";
    }

    Map<String, String> status(String unit);

    /** Metric name (optionally with labels, {@code name{unit="u1"}}) to value. */
    Map<String, Long> metrics();
  }

  private final ServerSocket server;
  private final View view;
  // Each request on a virtual thread of its own: a caller that drips its request holds only its own
  // thread.
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ConcurrentLinkedDeque<Socket> open = new ConcurrentLinkedDeque<>();
  private volatile boolean running = true;

  HealthServer(Config cfg, View view) throws IOException {
    this.view = view;
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
      String path = parts[1];
      int q = path.indexOf('?');
      String unit = q < 0 ? null : unitParameter(path.substring(q + 1));
      if (q >= 0) path = path.substring(0, q);
      if (!view.knows(unit)) path = "unknown unit";
      switch (path) {
        case "/healthz", "/livez" -> {
          boolean ok = view.live();
          code = ok ? 200 : 503;
          body = ok ? "ok\n" : "log write failed\n";
        }
        case "/readyz" -> {
          String why = view.notReady(unit);
          code = why.isEmpty() ? 200 : 503;
          body =
              (why.isEmpty() ? "ready\n" : "not ready: " + why + "\n") + view.readinessDetail(unit);
        }
        case "/status" -> {
          code = 200;
          type = "application/json";
          body = json(view.status(unit));
        }
        case "/metrics" -> {
          code = 200;
          StringBuilder sb = new StringBuilder();
          view.metrics()
              .forEach((k, v) -> sb.append(metricName(k)).append(' ').append(v).append('\n'));
          body = sb.toString();
        }
        case "unknown unit" -> {
          code = 404;
          body = "no unit " + unit + " in this sidecar\n";
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

  /** The value of {@code unit=} in a query string; null when absent. */
  private static String unitParameter(String query) {
    for (String p : query.split("&")) if (p.startsWith("unit=")) return p.substring(5);
    return null;
  }

  /** {@code ou_sidecar_} and the name made safe; labels ({@code {unit="u1"}}) kept as they are. */
  static String metricName(String key) {
    int brace = key.indexOf('{');
    String name = brace < 0 ? key : key.substring(0, brace);
    return "ou_sidecar_" + name.replaceAll("[^A-Za-z0-9_]", "_")
        + (brace < 0 ? "" : key.substring(brace));
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
