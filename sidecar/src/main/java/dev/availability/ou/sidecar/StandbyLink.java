package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.Refusal;
import dev.availability.ou.replication.SessionAction;
import dev.availability.ou.replication.Snapshots;
import dev.availability.ou.replication.StandbySession;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/** One accepted replication connection, driven by a {@link StandbySession}. */
final class StandbyLink {
  private final Socket socket;
  private final ReplicationServer server;
  private final Replica replica;
  private final FrameCodec codec;
  private final Config cfg;
  private final Counters counters;
  private final StandbySession session;
  private final boolean setUpAsStandby;
  private final Object out = new Object();
  private OutputStream os;
  private volatile boolean closed;
  private volatile boolean authenticated;
  /** Whether no further frame had arrived when this one was read: then this thread commits it (see run). */
  private boolean lastOfBurst;
  /** Asynchronous mode when this frame was read: its records are written and flushed when an ACK is due (see run). */
  private boolean lazy;

  private volatile long ackedSent = -1;
  // The last sequence this session put in the log (prefix, cut, snapshot, records), set under
  // the replica's lock with it. An ACK never goes past it: promoted, this member's TERM_START and
  // writes get sequences the old primary also sent; an ACK of those would release old writes this
  // member never took (bench/drill: one acknowledged Synchronous write lost per such race).
  private volatile long held = -1;
  private final Object ackSignal = new Object();
  /** Under {@link #out}: when the next ACK is due. */
  private final AckPacing pacing = new AckPacing();
  /** Whether the ACK loop sleeps with nothing to acknowledge (until the next heartbeat). */
  private volatile boolean ackerIdle;

  volatile Thread thread;
  private final java.util.function.LongConsumer durableListener = this::durable;

  /** On the log writer thread once records are durable: acknowledge at once (no extra thread hop). */
  private void durable(long seq) {
    if (closed || session.state() != StandbySession.State.STREAMING) {
      signalAck();
      return;
    }
    boolean deferred = false;
    synchronized (out) {
      long ack = AckPacing.ackable(seq, held, ackedSent, session.nextSeq());
      long now = System.nanoTime();
      if (ack >= 0 && !closed && pacing.due(lazyAcks(), now)) {
        try {
          codec.write(os, session.seal(), session.ack(ack));
          os.flush();
          ackedSent = ack;
          pacing.sent(now);
          counters.inc("acksSent");
        } catch (IOException e) {
          close("ack failed: " + e.getMessage());
        }
      } else deferred = ack >= 0; // the ACK loop's to send when due: woken if it sleeps long
    }
    if (deferred && ackerIdle) signalAck();
  }

  /** Writes and flushes what this session queued if an ACK is due, else leaves that to the ACK loop. */
  private void commitWhenDue() {
    boolean due;
    synchronized (out) {
      due = pacing.due(true, System.nanoTime());
    }
    if (due) replica.commitInline();
    else if (ackerIdle) signalAck();
  }

  /** Asynchronous mode: nothing waits for this standby's ACKs, so they are paced ({@link AckPacing}). */
  private boolean lazyAcks() {
    return replica.mode() == Mode.ASYNCHRONOUS;
  }

  private IncomingSnapshot incoming;

  StandbyLink(
      Socket socket,
      ReplicationServer server,
      Replica replica,
      PeerAuth auth,
      FrameCodec codec,
      Config cfg,
      Counters counters) {
    this.socket = socket;
    this.server = server;
    this.replica = replica;
    this.codec = codec;
    this.cfg = cfg;
    this.counters = counters;
    Replica.RoleView at = replica.view("replication connection"); // role and epoch read together
    this.setUpAsStandby = at.role() == Role.Standby;
    this.session = new StandbySession(
        auth,
        at.epoch(),
        setUpAsStandby,
        () -> {
          try {
            authenticated = true;
            server.takeOver(this);
            return replica
                .streamApplier()
                .position(
                    at.epoch()); // refused if the role or epoch changed since this connection came
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        },
        codec.limits(),
        PeerAuth::nonce);
  }

  long epoch() {
    return session.epoch();
  }

  /** Whether this member was the standby when the connection came (else the session refuses its HELLO anyway). */
  boolean setUpAsStandby() {
    return setUpAsStandby;
  }

  boolean authenticated() {
    return authenticated;
  }

  void run() {
    String peer = socket.getRemoteSocketAddress().toString();
    Thread acker = null;
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.max(1000, cfg.peerLostAfterMillis() * 2));
      InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      os = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      replica.listeners().onDurable(durableListener);
      while (!closed) {
        Frame f;
        List<SessionAction> actions;
        try {
          // sealed from the frame after AUTH on; before the primary proved the key, handshake
          // frames only
          f = codec.read(in, session.seal(), !authenticated);
          if (f == null) {
            finish("peer closed the connection", null);
            return;
          }
          lastOfBurst = in.available() == 0;
          lazy = lazyAcks();
          if (authenticated) replica.peerHeard();
          actions = session.onFrame(f);
        } catch (ProtocolException e) {
          counters.inc("framesRefused." + e.reason());
          actions = session.refuse(e.reason(), e.getMessage());
        }
        for (SessionAction a : actions) {
          boolean goOn;
          try {
            goOn = handle(a);
          } catch (
              ProtocolException
                  e) { // the plan or records no longer apply: this member's role or epoch changed
            goOn = refuse(e.reason(), e.getMessage());
          }
          if (!goOn) return;
        }
        // Nothing more has arrived: write and fsync the received batches on this thread (the ACK
        // leaves from here too). While it runs, further frames gather in the socket and go out as
        // one batch. In Asynchronous mode nothing waits for this flush: it comes when the ACK is
        // due
        // (AckPacing), on this thread or the ACK loop's, few and out of the primary's way.
        if (lazy) commitWhenDue();
        else if (lastOfBurst) replica.commitInline();
        if (session.state() == StandbySession.State.STREAMING && acker == null) {
          acker = new Thread(this::ackLoop, "ou-standby-acker");
          acker.setDaemon(true);
          acker.start();
        }
      }
    } catch (SocketTimeoutException e) {
      finish(
          "no frame from the primary for " + Math.max(1000, cfg.peerLostAfterMillis() * 2) + " ms",
          null);
    } catch (IOException | RuntimeException | InterruptedException e) {
      finish(closed ? "closed" : "connection failed: " + e, null);
    } finally {
      closed = true;
      replica.listeners().removeListener(durableListener);
      if (server.isActive(this)) replica.standbyProgress().streaming(false);
      if (acker != null) acker.interrupt();
      signalAck();
      closeQuietly();
      cleanupIncoming();
      if (authenticated) Logs.info("replication session from " + peer + " ended");
    }
  }

  private boolean handle(SessionAction a)
      throws IOException, InterruptedException, ProtocolException {
    switch (a) {
      case SessionAction.Send s -> send(s.frame(), true);
      case SessionAction.Close c -> {
        counters.inc("sessionsClosed." + c.reason());
        finish(c.message(), c.reason());
        return false;
      }
      case SessionAction.Started s -> {
        held = s.commonPrefix(); // agreed with the primary: the same records on both sides
        counters.inc("sessionsStarted." + s.kind());
        Logs.info("replication session from " + session.primaryName() + " at epoch "
            + session.epoch() + ": " + s.kind() + " (common prefix " + s.commonPrefix() + ", from "
            + s.fromSeq() + ")");
      }
      case SessionAction.Truncate t -> {
        if (!replica.streamApplier().cutAfter(session.epoch(), t.seq(), this::holds)) {
          List<SessionAction> r =
              session.refuse(Refusal.INTERNAL, "standby started over empty; reconnect");
          for (SessionAction x : r) if (x instanceof SessionAction.Send s) send(s.frame(), true);
          finish("standby started over empty", Refusal.INTERNAL);
          return false;
        }
        replica.standbyProgress().streaming(true);
        signalAck();
      }
      case SessionAction.SnapshotBegin b -> {
        counters.inc("snapshotsReceiving");
        incoming = new IncomingSnapshot(replica.store().incomingDir());
        Logs.info("receiving snapshot at " + b.seq() + " (" + b.size() + " bytes)");
      }
      case SessionAction.SnapshotChunk c -> {
        incoming.write(c.bytes());
      }
      case SessionAction.SnapshotEnd e -> {
        if (!incoming.finish(e.crc()))
          return refuse(Refusal.BAD_CHECKSUM, "snapshot checksum mismatch");
        Snapshots.Loaded loaded;
        try {
          loaded = replica.store().snapshots().load(incoming.file());
        } catch (ProtocolException ex) {
          return refuse(ex.reason(), "snapshot does not verify: " + ex.getMessage());
        }
        if (loaded.seq() != e.seq())
          return refuse(
              Refusal.MALFORMED, "snapshot holds " + loaded.seq() + ", announced " + e.seq());
        replica
            .streamApplier()
            .installSnapshot(session.epoch(), incoming.file(), loaded, this::holds);
        incoming.installed();
        incoming = null;
        session.snapshotInstalled(loaded.seq());
        Logs.info(
            "installed snapshot at " + loaded.seq() + " (" + loaded.state().size() + " keys)");
        replica.standbyProgress().streaming(true);
        signalAck();
      }
      case SessionAction.Append ap -> {
        replica
            .awaitWriterRoom(); // the disk sets the pace: TCP then holds the primary back, not this
        // heap
        replica
            .streamApplier()
            .applyReplicated(
                session.epoch(), ap.bytes(), ap.records(), lastOfBurst || lazy, lazy, this::holds);
        synchronized (out) {
          pacing.received(ap.bytes().length);
        }
        counters.add("recordsReceived", ap.records().size());
      }
      case SessionAction.PeerPosition p -> replica.standbyProgress().primaryPosition(p.lastSeq());
      default -> throw new IllegalStateException("unexpected action " + a);
    }
    return true;
  }

  private boolean refuse(Refusal reason, String message) throws IOException {
    counters.inc("framesRefused." + reason);
    for (SessionAction x : session.refuse(reason, message))
      if (x instanceof SessionAction.Send s) send(s.frame(), true);
    finish(message, reason);
    return false;
  }

  private void send(Frame f, boolean flush) throws IOException {
    synchronized (out) {
      codec.write(os, session.seal(), f); // POSITION and everything after it sealed
      if (flush) os.flush();
    }
  }

  /** Called under the replica's lock by the change that put the session's records up to {@code seq} in the log. */
  private void holds(long seq) {
    held = seq;
  }

  private void signalAck() {
    synchronized (ackSignal) {
      ackSignal.notifyAll();
    }
  }

  /** Sends ACKs as the log becomes durable (those the log writer's thread deferred, see {@link AckPacing}), and heartbeats. */
  private void ackLoop() {
    long lastBeat = 0;
    try {
      while (!closed) {
        boolean lazy = lazyAcks();
        boolean commit;
        synchronized (out) {
          commit = lazy && held > replica.durableSeq() && pacing.due(true, System.nanoTime());
        }
        if (commit) replica.commitInline(); // queued by the reader in Asynchronous mode (see run)
        long durable = replica.durableSeq();
        synchronized (out) {
          long ack = AckPacing.ackable(durable, held, ackedSent, session.nextSeq());
          long now = System.nanoTime();
          if (ack >= 0
              && session.state() == StandbySession.State.STREAMING
              && pacing.due(lazy, now)) {
            send(session.ack(ack), true);
            ackedSent = ack;
            pacing.sent(now);
            counters.inc("acksSent");
          }
        }
        long now = System.nanoTime();
        if (now - lastBeat >= cfg.heartbeatMillis() * 1_000_000L) {
          send(session.heartbeat(replica.lastSeq(), durable, System.currentTimeMillis()), true);
          lastBeat = now;
        }
        synchronized (ackSignal) {
          ackerIdle = true; // before looking: a record made durable from here on wakes this loop
          long waitMillis;
          boolean pending;
          synchronized (out) {
            long durableNow = replica.durableSeq();
            boolean streaming = session.state() == StandbySession.State.STREAMING;
            boolean lazyNow = lazyAcks();
            boolean toAck =
                streaming && AckPacing.ackable(durableNow, held, ackedSent, session.nextSeq()) >= 0;
            // queued in Asynchronous mode, not yet written: flushed when the next ACK is due
            boolean toCommit = streaming && lazyNow && held > durableNow;
            pending = toAck || toCommit;
            waitMillis = pacing.loopWaitMillis(
                toAck, toCommit, lazyNow, System.nanoTime(), cfg.heartbeatMillis());
          }
          ackerIdle = !pending;
          if (waitMillis > 0 && !closed) ackSignal.wait(waitMillis);
          ackerIdle = false;
        }
      }
    } catch (IOException | InterruptedException e) {
      close("ack loop ended: " + e.getMessage());
    }
  }

  private void finish(String why, Refusal reason) {
    if (reason == Refusal.DROPPED) replica.standbyProgress().dropped();
    if (reason != null && reason != Refusal.SUPERSEDED)
      Logs.warn("replication session refused/closed (" + reason + "): " + why);
    else if (reason == null && authenticated && !closed)
      Logs.info("replication session ending: " + why);
    close(why);
  }

  void close(String why) {
    closed = true;
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private void cleanupIncoming() {
    if (incoming != null) incoming.discard();
  }
}
