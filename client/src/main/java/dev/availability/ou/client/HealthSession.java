package dev.availability.ou.client;

import java.time.Duration;

/**
 * Heartbeats from the application to its sidecar (the local manager's view of the application). Sent
 * every third of the ttl on a daemon thread; {@link #setHealthy(boolean)} lets the application declare
 * itself unhealthy (for example while it runs in a degraded mode); {@link #close()} stops the beats, and
 * the sidecar reports the application unhealthy once the ttl has passed.
 */
public final class HealthSession implements AutoCloseable {
  private final OuClient client;
  private final Duration ttl;
  private final Thread thread;
  private volatile boolean healthy = true;
  private volatile boolean running = true;

  HealthSession(OuClient client, Duration ttl) {
    this.client = client;
    this.ttl = ttl;
    try {
      client.heartbeat(ttl, true);
    } catch (OuException e) {
      // the loop keeps trying
    }
    this.thread = new Thread(this::loop, "ou-client-health");
    thread.setDaemon(true);
    thread.start();
  }

  /** Declares the application healthy or not; sent with the next heartbeat (and at once). */
  public void setHealthy(boolean healthy) {
    this.healthy = healthy;
    try {
      client.heartbeat(ttl, healthy);
    } catch (OuException e) {
      // the loop keeps trying
    }
  }

  private void loop() {
    long period = Math.max(10, ttl.toMillis() / 3);
    while (running) {
      try {
        Thread.sleep(period);
        if (running) client.heartbeat(ttl, healthy);
      } catch (InterruptedException e) {
        return;
      } catch (OuException e) {
        // sidecar away: keep trying; it reports the application by the ttl meanwhile
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
