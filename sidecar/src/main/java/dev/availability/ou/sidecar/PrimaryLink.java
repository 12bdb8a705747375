package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.SegmentLog;
import dev.availability.ou.replication.SessionAction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The primary's replication client to one standby endpoint: dials it, authenticates ({@link PrimaryHandshake}), has
 * the catch-up started ({@link StandbyCatchUp}), then streams batches as they are written and counts ACKs into that
 * standby's {@link StandbyAcks}. Reconnects with backoff while this member is primary at this epoch and the endpoint
 * is its peer or next peer. A next peer (make-before-break) is told the primary's position only once it caught up
 * with the live stream, when writes start waiting for it ({@link WriteAcknowledgements#requireNext}): the position is
 * its catch-up target, so it calls itself in sync only once it holds everything acknowledged. Retired (neither peer
 * nor next peer any more), it tells its standby it was dropped ({@link DroppedNotice}).
 */
final class PrimaryLink implements AutoCloseable {
  private final Replica replica;
  private final FrameCodec codec;
  private final Config cfg;
  private final Counters counters;
  private final long epoch;
  private final String endpoint;
  private final Thread thread;
  private final Object signal = new Object();
  private final StandbyCatchUp catchUp;
  private final PrimaryFrames frames;
  private final PrimaryHandshake handshake;
  private final LogWriter.BatchListener writtenListener = this::written;
  private final ReentrantLock sendLock = new ReentrantLock();
  private UnackedBytes unacked; // guarded by sendLock
  private volatile boolean live;
  private long next; // guarded by sendLock
  private PrimarySession liveSession; // guarded by sendLock
  private OutputStream liveOut; // guarded by sendLock
  private volatile boolean running = true;
  private volatile Socket socket;
  private volatile long dirty;
  private volatile StandbyAcks standby; // the session's, null between sessions
  private boolean positionTold; // guarded by sendLock: this session's standby was told its target
  private final DroppedNotice dropped = new DroppedNotice(); // owed once retired
  private volatile boolean droppedSent; // this session told its standby: its echo is awaited

  /** To the standby at {@code endpoint} (host:port), the primary's peer or next peer at {@code epoch}. */
  PrimaryLink(
      Replica replica,
      PeerAuth auth,
      FrameCodec codec,
      Config cfg,
      Counters counters,
      long epoch,
      String endpoint) {
    this.replica = replica;
    this.codec = codec;
    this.cfg = cfg;
    this.counters = counters;
    this.epoch = epoch;
    this.endpoint = endpoint;
    this.catchUp = new StandbyCatchUp(replica, codec, counters, epoch);
    this.frames = new PrimaryFrames(replica, codec, counters);
    this.handshake = new PrimaryHandshake(replica, auth, codec, cfg, frames, epoch);
    replica.listeners().onWritten(writtenListener);
    thread = new Thread(this::loop, "ou-primary-link-" + epoch + "-" + endpoint);
    thread.setDaemon(true);
    thread.start();
  }

  long epoch() {
    return epoch;
  }

  String endpoint() {
    return endpoint;
  }

  /** Whether it still dials and streams (it stops for good once its primacy is over). */
  boolean running() {
    return thread.isAlive();
  }

  /**
   * On the log writer thread, right after a batch was written and before its fsync: when the stream is
   * caught up the batch goes to the standby from here (no thread hand-off, no read back from the file).
   * Synchronous and Journal writes wait for the standby anyway. An Asynchronous primary sends here only
   * when the write cannot block ({@link UnackedBytes}) and no other thread holds the stream: its
   * acknowledgements never wait for the standby; otherwise the link's own thread sends from the log. A
   * batch larger than one frame may carry (a value near the largest after a full queue) goes from the log
   * too, in frames of the configured size.
   */
  private void written(long first, long last, byte[] bytes, int length) {
    if (live && length <= codec.limits().maxBatchBytes()) {
      boolean async = replica.mode() == Mode.ASYNCHRONOUS;
      StandbyAcks s = standby;
      if (async) {
        if (!sendLock.tryLock()) {
          wake();
          return;
        }
      } else {
        sendLock.lock();
      }
      try {
        if (live
            && liveSession != null
            && next == first
            && s != null
            && (!async || unacked.allows(s.ackedSeq(), length + UnackedBytes.FRAME_BYTES))) {
          try {
            liveSession.sent(last);
            // The session's epoch; sealed straight from the writer's buffer (no other copy).
            codec.write(
                liveOut, liveSession.seal(), FrameType.BATCH, epoch, first, bytes, 0, length);
            liveOut.flush();
            unacked.sent(last, length + UnackedBytes.FRAME_BYTES);
            counters.add("recordsSent", last - first + 1);
            counters.inc("batchesSentByLogWriter");
            next = last + 1;
            return;
          } catch (IOException e) {
            live = false;
            closeSocket();
          }
        }
      } finally {
        sendLock.unlock();
      }
    }
    wake();
  }

  private void wake() {
    synchronized (signal) {
      dirty++;
      signal.notifyAll();
    }
  }

  private boolean valid() {
    if (!running || !replica.sessionStillValid(epoch, Role.Primary)) return false;
    return !dropped.owed()
        || dropped.outstanding(
            System.nanoTime(), replica.acknowledgements().standbyFor(endpoint) != null);
  }

  private void loop() {
    PeerRetry retry = new PeerRetry();
    String lastError = null;
    while (valid()) {
      retry.dialling(endpoint, System.nanoTime());
      boolean refused = false;
      try {
        session(Config.address(endpoint));
        retry.connected();
        lastError = null;
      } catch (IOException | RuntimeException e) {
        refused = e instanceof java.net.ConnectException;
        String msg = String.valueOf(e.getMessage());
        if (!msg.equals(lastError)) Logs.warn("replication to " + endpoint + " failed: " + msg);
        lastError = msg;
        counters.inc("replicationConnectFailures");
      } catch (InterruptedException e) {
        return;
      } finally {
        StandbyAcks s = standby;
        standby = null;
        if (s != null) s.disconnected();
        closeSocket();
      }
      sleep(retry.delay(refused, System.nanoTime()));
    }
  }

  private void heardDropped() {
    dropped.heard();
    counters.inc("droppedStandbysTold");
    Logs.info("standby " + endpoint + " heard it was dropped: it no longer calls itself in sync");
  }

  private void session(InetSocketAddress address) throws IOException, InterruptedException {
    StandbyAcks acks = replica.acknowledgements().standbyFor(endpoint);
    if (acks == null) { // no longer the peer nor the next peer
      // Retired, the standby not told yet (its session was broken, or DROPPED lost): tell it.
      if (dropped.owed() && handshake.tellDropped(handshake.dial(address, s -> socket = s)))
        heardDropped();
      return;
    }
    standby = acks;
    droppedSent = false;
    PrimaryHandshake.Dialled d = handshake.dial(address, s -> socket = s);
    InputStream in = d.in();
    OutputStream out = d.out();
    PrimarySession ps = d.session();
    SessionAction.PlanReady plan = handshake.plan(d);
    if (plan == null) return;
    heard(acks);
    long next = catchUp.start(plan, ps, out, address, acks);
    if (next < 0) return;
    boolean peer = replica.acknowledgements().isPeer(acks);
    if (peer) { // its catch-up target; a next peer's is told once it caught up (stream)
      codec.write(
          out,
          ps.seal(),
          ps.heartbeat(replica.lastSeq(), replica.durableSeq(), System.currentTimeMillis()));
      out.flush();
    }
    // Receiver: ACKs and heartbeats.
    Thread receiver = new Thread(() -> receive(in, ps, out, acks), "ou-primary-receiver");
    receiver.setDaemon(true);
    receiver.start();
    try {
      stream(out, ps, next, acks, peer);
    } finally {
      if (droppedSent) receiver.join(handshake.readTimeoutMillis()); // it reads the echo
      closeSocket();
      receiver.interrupt();
    }
  }

  private void stream(
      OutputStream out, PrimarySession ps, long from, StandbyAcks acks, boolean positionTold)
      throws IOException, InterruptedException {
    long lastSend = System.nanoTime();
    SegmentLog log = replica.store().log();
    sendLock.lock();
    try {
      next = from;
      liveSession = ps;
      liveOut = out;
      live = false;
      this.positionTold = positionTold;
      unacked = new UnackedBytes(socket.getSendBufferSize() / 4L);
    } finally {
      sendLock.unlock();
    }
    try {
      // A reassignment may make this endpoint's standby another one (a new role, or neither
      // peer nor next peer any more): the session ends, and its acknowledgements with it.
      while (valid()
          && !socket.isClosed()
          && replica.acknowledgements().standbyFor(endpoint) == acks) {
        long seen;
        synchronized (signal) {
          seen = dirty;
        }
        boolean sentSomething = false;
        sendLock.lock();
        try {
          long written = replica.writtenSeq();
          if (next <= written) {
            live = false;
            SegmentLog.Chunk c = log.read(next, written, cfg.batchBytes());
            ps.sent(c.lastSeq());
            codec.write(out, ps.seal(), ps.batch(c.firstSeq(), c.bytes()));
            if (c.lastSeq() >= replica.writtenSeq()) out.flush();
            unacked.sent(c.lastSeq(), c.bytes().length + UnackedBytes.FRAME_BYTES);
            counters.add("recordsSent", c.count());
            next = c.lastSeq() + 1;
            sentSomething = true;
          } else {
            if (!this.positionTold && !tellCaughtUpNextItsTarget(out, ps, acks)) return;
            live = true; // caught up: the writer thread sends new batches itself
          }
          if (sentSomething || live) lastSend = sentSomething ? System.nanoTime() : lastSend;
          if (!sentSomething
              && System.nanoTime() - lastSend >= cfg.heartbeatMillis() * 1_000_000L) {
            codec.write(
                out,
                ps.seal(),
                ps.heartbeat(replica.lastSeq(), replica.durableSeq(), System.currentTimeMillis()));
            out.flush();
            lastSend = System.nanoTime();
          }
        } finally {
          sendLock.unlock();
        }
        if (sentSomething) continue;
        synchronized (signal) {
          if (dirty == seen) signal.wait(Math.max(1, cfg.heartbeatMillis()));
        }
      }
    } finally {
      sendLock.lock();
      try {
        boolean wasDropped = replica.sessionStillValid(epoch, Role.Primary)
            && replica.acknowledgements().standbyFor(endpoint) != acks;
        if (wasDropped && !socket.isClosed()) droppedSent = frames.dropped(out, ps);
        live = false;
        liveSession = null;
        liveOut = null;
      } finally {
        sendLock.unlock();
      }
    }
  }

  /**
   * Under the send lock: a next peer caught up with the live stream; from now on writes wait for it, and it is told
   * its catch-up target. False when it is no longer the next peer (the session ends).
   */
  private boolean tellCaughtUpNextItsTarget(OutputStream out, PrimarySession ps, StandbyAcks acks)
      throws IOException {
    long target = replica.acknowledgements().requireNext(acks);
    if (target < 0) return false;
    codec.write(out, ps.seal(), ps.heartbeat(target, target, System.currentTimeMillis()));
    out.flush();
    positionTold = true;
    counters.inc("nextPeersCaughtUp");
    Logs.info("next peer " + endpoint + " caught up: writes wait for it too from " + target);
    return true;
  }

  /** The peer's and a caught-up next peer's heartbeats keep the failsafe ({@link WriteAcknowledgements#confirms}). */
  private void heard(StandbyAcks acks) {
    if (replica.acknowledgements().confirms(acks)) replica.peerHeard();
  }

  private void receive(InputStream in, PrimarySession ps, OutputStream out, StandbyAcks acks) {
    try {
      while (valid()) {
        List<SessionAction> actions = frames.read(in, ps);
        heard(acks);
        for (SessionAction a : actions) {
          if (PrimaryFrames.droppedEcho(a)) {
            heardDropped();
            return;
          }
          switch (a) {
            case SessionAction.Acked ack -> acks.acked(ack.seq());
            case SessionAction.Send send -> {
              sendLock.lock();
              try {
                codec.write(out, ps.seal(), send.frame());
                out.flush();
              } finally {
                sendLock.unlock();
              }
            }
            default -> {
              if (!frames.common(a)) {
                closeSocket();
                return;
              }
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      if (running) Logs.info("replication stream to the standby ended: " + e.getMessage());
    } finally {
      closeSocket();
      wake();
    }
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void closeSocket() {
    PrimaryFrames.closeQuietly(socket);
  }

  /**
   * Its standby is no longer the peer nor the next peer: it ends once it has told that standby it was dropped (the
   * socket is not cut first), dialling again within a bound if it must.
   */
  void retire() {
    dropped.owe(System.nanoTime());
    replica.listeners().removeListener(writtenListener);
    wake();
  }

  /** Whether it retired and has ended (told its standby, or given up). */
  boolean retiredAndDone() {
    return dropped.owed() && !running();
  }

  @Override
  public void close() {
    running = false;
    replica.listeners().removeListener(writtenListener);
    closeSocket();
    thread.interrupt();
  }
}
