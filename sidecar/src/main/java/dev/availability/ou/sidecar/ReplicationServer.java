package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PeerAuth;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Semaphore;

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
  private final Semaphore connections = new Semaphore(16);
  private StandbyLink active;
  private volatile boolean running = true;

  ReplicationServer(Config cfg, Replica replica, PeerAuth auth, FrameCodec codec, Counters counters) throws IOException {
    this.cfg = cfg;
    this.replica = replica;
    this.auth = auth;
    this.codec = codec;
    this.counters = counters;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(cfg.replication(), 16);
    replica.onRoleChange(v -> roleChanged(v));
    Thread t = new Thread(this::acceptLoop, "ou-replication-accept");
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (running) {
      try {
        Socket s = server.accept();
        if (!connections.tryAcquire()) {
          counters.inc("replicationConnectionsRejected");
          s.close();
          continue;
        }
        StandbyLink link = new StandbyLink(s, this, replica, auth, codec, cfg, counters);
        Thread t = new Thread(() -> {
          try {
            link.run();
          } finally {
            connections.release();
            released(link);
          }
        }, "ou-standby-link");
        t.setDaemon(true);
        link.thread = t;
        t.start();
      } catch (IOException e) {
        if (running) Logs.error("replication accept failed", e);
      }
    }
  }

  /** The link authenticated: it becomes the active one, the previous one is closed first. */
  void takeOver(StandbyLink link) throws InterruptedException {
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

  private void roleChanged(Replica.RoleView v) {
    StandbyLink a;
    synchronized (this) {
      a = active;
    }
    if (a != null && (v.role() != Role.Standby || v.epoch() != a.epoch())) a.close("role or epoch changed: " + v.role() + " at " + v.epoch());
  }

  @Override
  public void close() throws IOException {
    running = false;
    server.close();
    StandbyLink a;
    synchronized (this) {
      a = active;
    }
    if (a != null) a.close("shutting down");
  }
}
