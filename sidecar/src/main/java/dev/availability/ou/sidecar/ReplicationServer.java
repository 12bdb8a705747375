package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PeerAuth;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Listens on the replication address. Each connection runs a {@link StandbyLink}; only the most recent
 * authenticated one streams (it takes over from the previous one after the peer proved the key, so a
 * stranger cannot break an established stream by connecting).
 */
final class ReplicationServer implements AutoCloseable {
  private final ServerSocket server;
  private final Replica replica;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final Config cfg;
  private final Counters counters;
  /**
   * Connections that have not proved the unit key yet, oldest first. Past {@link #MAX_UNAUTHENTICATED} the oldest
   * is closed: a real peer proves the key within milliseconds of connecting, so a flood of strangers cannot keep
   * it out (a cap that refused new connections would).
   */
  private final ConcurrentLinkedDeque<StandbyLink> unauthenticated = new ConcurrentLinkedDeque<>();

  static final int MAX_UNAUTHENTICATED = 8;
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ou-handshake-deadline");
        t.setDaemon(true);
        return t;
      });
  /** Every open link, handshaking or not: a role or epoch change closes each one set up before it. */
  private final java.util.Set<StandbyLink> open =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private StandbyLink active;
  private volatile boolean running = true;

  ReplicationServer(Config cfg, Replica replica, PeerAuth auth, FrameCodec codec, Counters counters)
      throws IOException {
    this.cfg = cfg;
    this.replica = replica;
    this.auth = auth;
    this.codec = codec;
    this.counters = counters;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(cfg.replication(), 16);
    replica.listeners().addRoleListener(v -> roleChanged(v));
    Thread t = new Thread(this::acceptLoop, "ou-replication-accept");
    t.setDaemon(true);
    t.start();
  }

  // Counted down once this member has a role: until then connections wait in the socket's backlog.
  private final java.util.concurrent.CountDownLatch roleKnown =
      new java.util.concurrent.CountDownLatch(1);

  /**
   * Accepts nothing before this member has a role. A new standby's sidecar listens before it has read its first
   * assignment, and its primary, which tries it as soon as it listens, was refused (NOT_STANDBY at epoch 0) a dozen
   * times in the node-kill drill, each a handshake the starting JVM paid for; waiting in the backlog, the connection
   * is taken as soon as the role is known (the primary's read waits up to its socket timeout, then it connects again).
   */
  private void acceptLoop() {
    try {
      if (replica.role() == null) roleKnown.await();
    } catch (InterruptedException e) {
      return;
    }
    while (running) {
      try {
        Socket s = server.accept();
        StandbyLink link = new StandbyLink(s, this, replica, auth, codec, cfg, counters);
        open.add(link);
        if (link.setUpAsStandby() && !replica.sessionStillValid(link.epoch(), Role.Standby))
          link.close("role or epoch changed as it connected");
        unauthenticated.addLast(link);
        while (unauthenticated.size() > MAX_UNAUTHENTICATED) {
          StandbyLink oldest = unauthenticated.pollFirst();
          if (oldest != null && !oldest.authenticated()) {
            counters.inc("replicationConnectionsEvicted");
            oldest.close(
                "too many connections that have not proved the unit key: the oldest is closed");
          }
        }
        // The whole handshake has one deadline, however slowly a stranger trickles its bytes.
        deadlines.schedule(
            () -> {
              if (!link.authenticated() && unauthenticated.remove(link)) {
                counters.inc("replicationHandshakesTimedOut");
                link.close("handshake not completed within " + handshakeDeadlineMillis() + " ms");
              }
            },
            handshakeDeadlineMillis(),
            TimeUnit.MILLISECONDS);
        Thread t = new Thread(
            () -> {
              try {
                link.run();
              } finally {
                open.remove(link);
                unauthenticated.remove(link);
                released(link);
              }
            },
            "ou-standby-link");
        t.setDaemon(true);
        link.thread = t;
        t.start();
      } catch (IOException e) {
        if (running) Logs.error("replication accept failed", e);
      }
    }
  }

  /** How long a connection may take to prove the unit key: a real peer needs milliseconds, a loaded one a little more. */
  long handshakeDeadlineMillis() {
    return Math.max(2000, cfg.peerLostAfterMillis() * 2);
  }

  /** The link authenticated: it becomes the active one, the previous one is closed first. */
  void takeOver(StandbyLink link) throws InterruptedException {
    unauthenticated.remove(link);
    StandbyLink previous;
    synchronized (this) {
      previous = active;
      active = link;
    }
    if (previous != null && previous != link) {
      previous.close("superseded by a new session");
      if (previous.thread != null) previous.thread.join(5000);
    }
  }

  synchronized boolean isActive(StandbyLink link) {
    return active == link;
  }

  private synchronized void released(StandbyLink link) {
    if (active == link) active = null;
  }

  /**
   * Closes every link set up at another role or epoch: the active one, and those still handshaking (their primary's
   * plan was made for what this member held before; the replica refuses it too, this just ends them early).
   */
  private void roleChanged(Replica.RoleView v) {
    if (v.role() != null) roleKnown.countDown();
    for (StandbyLink link : open) {
      if (v.role() != Role.Standby || v.epoch() != link.epoch())
        link.close("role or epoch changed: " + v.role() + " at " + v.epoch());
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    roleKnown.countDown();
    server.close();
    deadlines.shutdownNow();
    StandbyLink a;
    synchronized (this) {
      a = active;
    }
    if (a != null) a.close("shutting down");
  }
}
