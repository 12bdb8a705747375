package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.HealthSession;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.OuException;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.SidecarStatus;
import dev.availability.ou.client.StandbyUnavailableException;
import dev.availability.ou.client.Stimulus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's connection to its local sidecar: connects (and keeps trying until the sidecar is up, since
 * both containers of a pod start together), follows the member's role, keeps a health session, and after a
 * promotion settles the requests the failed primary left in flight.
 */
final class SidecarLink implements AutoCloseable {
  private final InetSocketAddress address;
  private final Duration timeout;
  private final Duration healthTtl;
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "kvstore-sidecar-link");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong rejectedInFlight = new AtomicLong();
  private volatile OuClient client;
  private volatile HealthSession health;
  private volatile RoleChange role;
  private volatile String mode;
  private volatile long settledEpoch = -1;
  private volatile boolean closed;

  private final Jobs jobs;

  SidecarLink(InetSocketAddress address, Duration timeout, Duration healthTtl, Jobs jobs) {
    this.jobs = jobs;
    this.address = address;
    this.timeout = timeout;
    this.healthTtl = healthTtl;
  }

  /** Connects in the background, retrying until the sidecar answers. */
  void start() {
    background.execute(this::connectLoop);
  }

  private void connectLoop() {
    long waitMs = 100;
    while (!closed && client == null) {
      try {
        OuClient c = OuClient.connect(address, timeout);
        client = c;
        Log.info(
            "connected to the sidecar at " + address.getHostString() + ":" + address.getPort());
        c.onRoleChange(this::roleChanged);
        health = c.startHealthSession(healthTtl);
        refreshMode();
      } catch (OuException e) {
        if (waitMs >= 1600)
          Log.info("waiting for the sidecar at " + address.getHostString() + ":" + address.getPort()
              + ": " + e.getMessage());
        sleep(waitMs);
        waitMs = Math.min(waitMs * 2, 2000);
      }
    }
  }

  /** Called by the client library at once and at every change; kept short, the rest runs in the background. */
  private void roleChanged(RoleChange now) {
    RoleChange before = role;
    role = now;
    Log.info("role " + (before == null ? "" : describe(before) + " -> ") + describe(now)
        + (now.reason() == null || now.reason().isBlank() ? "" : " (" + now.reason() + ")"));
    background.execute(() -> {
      refreshMode();
      if (now.role() == MemberRole.PRIMARY && now.serving() && now.epoch() > settledEpoch)
        settleInFlight(now.epoch());
    });
  }

  private static String describe(RoleChange r) {
    return r.role() + (r.unit() == null ? "" : " of unit " + r.unit()) + " at epoch " + r.epoch()
        + (r.serving() ? " (serving)" : r.role() == MemberRole.PRIMARY ? " (not serving)" : "");
  }

  private synchronized void refreshMode() {
    OuClient c = client;
    if (c == null) return;
    try {
      String m = c.status().mode();
      if (m != null && !m.equals(mode)) {
        Log.info("replication mode " + m
            + (isJournal(m) ? ": every write is wrapped in journal markers" : ""));
        mode = m;
      }
    } catch (OuException e) {
      // asked again at the next role change or request
    }
  }

  /**
   * A promoted member finds the requests that began under the previous primary and never ended: their
   * clients never got an answer. A key-value PUT or DELETE is idempotent, so the client's retry repairs
   * it; the store rejects them (ends their markers and logs each one) rather than guessing the outcome.
   * A job is reprocessed from its stored input ({@link Jobs}). A stimulus the operator quarantined (two
   * copies failed on it) is never reprocessed: its user is told it was ignored and it is settled.
   */
  private void settleInFlight(long epoch) {
    OuClient c = client;
    try {
      for (Stimulus s : c.inFlight()) {
        if (!s.beforePromotion()) continue;
        if (s.quarantined()) {
          jobs.ignore(c, s);
          continue;
        }
        if (Jobs.isJob(s.id())) {
          jobs.reprocess(c, s); // a poison job crashes this copy too (the test hook)
          continue;
        }
        Log.info("request " + s.id() + " was in flight on the failed primary (began at seq "
            + s.beganAtSeq() + "): rejected, its client got no answer and may retry it");
        try {
          c.end(s.id());
        } catch (StandbyUnavailableException e) {
          // Applied here; no standby confirmed it yet (a new one is being scheduled): it reaches it
          // with the stream.
        }
        rejectedInFlight.incrementAndGet();
      }
      settledEpoch = epoch;
    } catch (OuException e) {
      Log.info("could not settle the in-flight requests yet: " + e.getMessage());
    }
  }

  /** The client, or null while not connected. */
  OuClient client() {
    return client;
  }

  /** The member's current role, or null before the sidecar told it. */
  RoleChange role() {
    return role;
  }

  boolean journal() {
    String m = mode;
    if (m == null) {
      refreshMode();
      m = mode;
    }
    return isJournal(m);
  }

  private static boolean isJournal(String m) {
    return m != null && m.equalsIgnoreCase("Journal");
  }

  long rejectedInFlight() {
    return rejectedInFlight.get();
  }

  String mode() {
    return mode;
  }

  /** The sidecar's status, asked now (throws when it does not answer). */
  SidecarStatus status() {
    OuClient c = client;
    if (c == null) throw new IllegalStateException("not connected to the sidecar yet");
    return c.status();
  }

  @Override
  public void close() {
    closed = true;
    background.shutdownNow();
    HealthSession h = health;
    if (h != null) h.close();
    OuClient c = client;
    if (c != null) c.close();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
