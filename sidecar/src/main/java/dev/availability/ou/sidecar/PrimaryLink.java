package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.PeerAuth;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.ProtocolException;
import dev.availability.ou.replication.SegmentLog;
import dev.availability.ou.replication.SessionAction;
import dev.availability.ou.replication.TermHistory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The primary's replication client: dials the standby's advertised endpoint, authenticates, has the
 * catch-up planned and started ({@link StandbyCatchUp}: stream from the standby's position, or snapshot first),
 * then streams batches as they are written and counts ACKs. Reconnects with backoff while this member is
 * primary at this epoch.
 */
final class PrimaryLink implements AutoCloseable {
  private final Replica replica;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final Config cfg;
  private final Counters counters;
  private final long epoch;
  private final Thread thread;
  private final Object signal = new Object();
  private final StandbyCatchUp catchUp;
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

  PrimaryLink(
      Replica replica, PeerAuth auth, FrameCodec codec, Config cfg, Counters counters, long epoch) {
    this.replica = replica;
    this.auth = auth;
    this.codec = codec;
    this.cfg = cfg;
    this.counters = counters;
    this.epoch = epoch;
    this.catchUp = new StandbyCatchUp(replica, codec, counters, epoch);
    replica.listeners().onWritten(writtenListener);
    thread = new Thread(this::loop, "ou-primary-link-" + epoch);
    thread.setDaemon(true);
    thread.start();
  }

  long epoch() {
    return epoch;
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
            && (!async
                || unacked.allows(
                    replica.acknowledgements().standbyAckedSeq(),
                    length + UnackedBytes.FRAME_BYTES))) {
          try {
            liveSession.sent(last);
            // The session's epoch; the batch is sealed straight from the writer's buffer (no other
            // copy).
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
    return running && replica.sessionStillValid(epoch, Role.Primary);
  }

  private void loop() {
    PeerRetry retry = new PeerRetry();
    String lastError = null;
    while (valid()) {
      String endpoint = replica.peerEndpoint();
      if (endpoint == null || endpoint.isBlank()) {
        sleep(50);
        continue;
      }
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
        replica.acknowledgements().standbyDisconnected();
        closeSocket();
      }
      sleep(retry.delay(refused, System.nanoTime()));
    }
  }

  private void session(InetSocketAddress address) throws IOException, InterruptedException {
    Socket s = new Socket();
    socket = s;
    s.setTcpNoDelay(true);
    s.setSendBufferSize(UnackedBytes.SEND_BUFFER_BYTES);
    s.connect(address, 1000);
    s.setSoTimeout((int) Math.max(1000, cfg.peerLostAfterMillis() * 2));
    InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
    OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
    PrimarySession ps = new PrimarySession(
        auth,
        epoch,
        cfg.memberName(),
        new PrimarySession.LogView() {
          @Override
          public long firstSeq() {
            return replica.store().log().firstSeq();
          }

          @Override
          public long lastSeq() {
            return replica.writtenSeq();
          }

          @Override
          public TermHistory history() {
            TermHistory h = replica.store().log().history();
            h.truncateAfter(replica.writtenSeq());
            return h;
          }
        },
        PeerAuth.nonce());
    codec.write(out, ps.hello());
    out.flush();
    // Handshake: until the plan.
    SessionAction.PlanReady plan = null;
    while (plan == null) {
      List<SessionAction> actions = read(in, ps);
      for (SessionAction a : actions) {
        switch (a) {
          case SessionAction.Send send -> {
            codec.write(
                out, ps.seal(), send.frame()); // AUTH in plaintext; anything after it sealed
            out.flush();
          }
          case SessionAction.PlanReady p -> plan = p;
          default -> {
            if (!common(a, out)) return;
          }
        }
      }
    }
    replica.peerHeard();
    long next = catchUp.start(plan, ps, out, address);
    if (next < 0) return;
    codec.write(
        out,
        ps.seal(),
        ps.heartbeat(replica.lastSeq(), replica.durableSeq(), System.currentTimeMillis()));
    out.flush();
    // Receiver: ACKs and heartbeats.
    Thread receiver = new Thread(() -> receive(in, ps, out), "ou-primary-receiver");
    receiver.setDaemon(true);
    receiver.start();
    try {
      stream(out, ps, next);
    } finally {
      closeSocket();
      receiver.interrupt();
    }
  }

  private void stream(OutputStream out, PrimarySession ps, long from)
      throws IOException, InterruptedException {
    long lastSend = System.nanoTime();
    SegmentLog log = replica.store().log();
    sendLock.lock();
    try {
      next = from;
      liveSession = ps;
      liveOut = out;
      live = false;
      unacked = new UnackedBytes(socket.getSendBufferSize() / 4L);
    } finally {
      sendLock.unlock();
    }
    try {
      while (valid() && !socket.isClosed()) {
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
        live = false;
        liveSession = null;
        liveOut = null;
      } finally {
        sendLock.unlock();
      }
    }
  }

  private void receive(InputStream in, PrimarySession ps, OutputStream out) {
    try {
      while (valid()) {
        List<SessionAction> actions = read(in, ps);
        replica.peerHeard();
        for (SessionAction a : actions) {
          switch (a) {
            case SessionAction.Acked ack -> replica.acknowledgements().standbyAcked(ack.seq());
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
              if (!common(a, out)) {
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

  /** Actions both phases handle; false when the session ends. */
  private boolean common(SessionAction a, OutputStream out) {
    switch (a) {
      case SessionAction.Close c -> {
        counters.inc("sessionsClosed." + c.reason());
        Logs.warn("replication session ended (" + c.reason() + "): " + c.message());
        return false;
      }
      case SessionAction.Deposed d -> {
        replica.deposed(d.newerEpoch());
        return false;
      }
      case SessionAction.PeerPosition p -> {
        return true;
      }
      default -> throw new IllegalStateException("unexpected " + a);
    }
  }

  private List<SessionAction> read(InputStream in, PrimarySession ps) throws IOException {
    try {
      Frame f = codec.read(in, ps.seal()); // sealed once the standby proved the key
      if (f == null) throw new IOException("standby closed the connection");
      return ps.onFrame(f);
    } catch (ProtocolException e) {
      counters.inc("framesRefused." + e.reason());
      List<SessionAction> r = ps.refuse(e.reason(), e.getMessage());
      return r;
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
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() {
    running = false;
    replica.listeners().removeListener(writtenListener);
    closeSocket();
    thread.interrupt();
  }
}
