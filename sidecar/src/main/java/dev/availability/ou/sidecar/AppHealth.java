package dev.availability.ou.sidecar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The local manager's view of the application: healthy while its health session's heartbeats arrive
 * within their ttl (and it has not declared itself unhealthy), and, when a probe is configured
 * ({@code tcp:<port>} or {@code http://127.0.0.1:<port>/<path>}), while the probe succeeds.
 * Unknown (null) until either has said anything.
 */
final class AppHealth implements AutoCloseable {
  private final String probe;
  private final long probeIntervalMillis;
  private volatile long sessionValidUntilNanos;
  private volatile boolean sessionSeen;
  private volatile boolean declaredHealthy = true;
  private volatile Boolean probeResult;
  private volatile boolean running = true;
  private final Thread prober;

  AppHealth(String probe, long probeIntervalMillis) {
    this.probe = probe;
    this.probeIntervalMillis = probeIntervalMillis;
    if (probe != null) {
      prober = new Thread(this::probeLoop, "ou-app-probe");
      prober.setDaemon(true);
      prober.start();
    } else {
      prober = null;
    }
  }

  void heartbeat(int ttlMillis, boolean healthy) {
    sessionSeen = true;
    declaredHealthy = healthy;
    sessionValidUntilNanos = System.nanoTime() + Math.max(1, ttlMillis) * 1_000_000L;
  }

  /** True, false, or null when nothing is known yet. */
  Boolean healthy() {
    Boolean session =
        sessionSeen ? declaredHealthy && System.nanoTime() - sessionValidUntilNanos < 0 : null;
    Boolean p = probeResult;
    if (session == null) return p;
    if (p == null) return session;
    return session && p;
  }

  private void probeLoop() {
    while (running) {
      probeResult = probeOnce();
      try {
        Thread.sleep(probeIntervalMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  boolean probeOnce() {
    try {
      if (probe.startsWith("tcp:")) {
        String target = probe.substring(4);
        InetSocketAddress a = target.contains(":")
            ? Config.address(target)
            : new InetSocketAddress("127.0.0.1", Integer.parseInt(target));
        try (Socket s = new Socket()) {
          s.connect(a, (int) Math.max(100, probeIntervalMillis));
          return true;
        }
      }
      URI u = URI.create(probe);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()), (int)
            Math.max(100, probeIntervalMillis));
        s.setSoTimeout((int) Math.max(100, probeIntervalMillis));
        OutputStream out = s.getOutputStream();
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        out.write(("GET " + path + " HTTP/1.0\r\nHost: " + u.getHost() + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
        return status.length() >= 12 && status.charAt(9) == '2';
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    if (prober != null) prober.interrupt();
  }
}
