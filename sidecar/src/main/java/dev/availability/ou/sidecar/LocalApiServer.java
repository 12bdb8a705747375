package dev.availability.ou.sidecar;

import static dev.availability.ou.client.LocalProtocol.*;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.replication.Key;
import dev.availability.ou.replication.RecordType;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The application's local API (see {@link LocalProtocol} and docs/sidecar-api.md): a length-prefixed
 * binary protocol with pipelining on a loopback address. Each connection has a reader thread, which reads
 * pipelined requests in bursts ({@link RequestStream}), commits a burst's writes itself and writes the
 * responses it produced, and a {@link ResponseOutbox} for the responses others complete (written on the completing
 * thread when the socket takes them at once, else by the outbox's writer thread), its socket non-blocking
 * ({@link LocalChannel}); at most {@code OU_LOCAL_API_MAX_CONNECTIONS}
 * are served at once, and a connection past them is refused in words ({@link LocalConnectionRefusal}).
 */
final class LocalApiServer implements AutoCloseable {
  private static final int MAX_KEY = 1024;

  private final ServerSocketChannel server;
  private final LocalApiTarget target;
  private final Config cfg;
  private final Counters counters;
  private final AppHealth appHealth;
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean running = true;

  LocalApiServer(Config cfg, LocalApiTarget target, Counters counters, AppHealth appHealth)
      throws IOException {
    this.cfg = cfg;
    this.target = target;
    this.counters = counters;
    this.appHealth = appHealth;
    if (!cfg.localApi().getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the local API must listen on a loopback address, not " + cfg.localApi());
    }
    server = ServerSocketChannel.open();
    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    server.bind(cfg.localApi(), 64);
    Thread t = new Thread(this::acceptLoop, "ou-local-api-accept");
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (running) {
      try {
        SocketChannel s = server.accept();
        if (connections.incrementAndGet() > cfg.localApiMaxConnections()) {
          connections.decrementAndGet();
          LocalConnectionRefusal.refuse(s.socket(), cfg.localApiMaxConnections(), counters);
          continue;
        }
        Connection c = new Connection(s);
        Thread t = new Thread(c::readLoop, "ou-local-api-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (running) Logs.error("local API accept failed", e);
      }
    }
  }

  /** A u16-length-prefixed UTF-8 string. */
  private static String text(ByteBuffer b) {
    byte[] t = new byte[b.getShort() & 0xffff];
    b.get(t);
    return new String(t, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    running = false;
    server.close();
  }

  private final class Connection {
    private final SocketChannel socket;
    private final List<Consumer<LocalApiTarget.UnitRoleView>> watches = new ArrayList<>();
    private ResponseOutbox outbox;

    Connection(SocketChannel socket) {
      this.socket = socket;
    }

    /** Queues the answer to a request; never waits for the client (see {@link ResponseOutbox}). */
    void respond(int id, int status, byte[] payload) {
      outbox.respond(id, status, payload, true);
    }

    void error(int id, int status, String message) {
      respond(id, status, message.getBytes(StandardCharsets.UTF_8));
    }

    void readLoop() {
      LocalChannel channel = null;
      try {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel = new LocalChannel(socket);
        RequestStream requests = new RequestStream(channel.in());
        DataInputStream in = requests.in();
        byte[] preface = requests.preface();
        if (preface.length == 0)
          return; // connected and closed without a word: a port probe, not a client
        if (!Arrays.equals(preface, PREFACE)) {
          counters.inc("localApiBadPreface");
          Logs.warn("local API: refused a connection with a bad preface");
          return;
        }
        channel.writeAll(ByteBuffer.wrap(PREFACE));
        outbox = new ResponseOutbox(channel, Thread.currentThread());
        Thread.ofPlatform().daemon().name("ou-local-api-writer").start(outbox::run);
        int maxFrame = cfg.maxValueBytes() + MAX_KEY + 64;
        while (running) {
          // The burst ends where the reader would wait for the client: its writes are committed
          // first.
          if (!requests.burstHas(4)) endBurst(requests);
          // Back-pressure on this connection alone: a client that does not read its responses
          // is not read either.
          if (!outbox.hasRoom()) endBurst(requests);
          if (!outbox.awaitRoom()) return;
          RequestStream.Header h = requests.next(maxFrame);
          if (h == null) return;
          int len = h.length();
          if (h.op() < 0) {
            counters.inc("localApiBadFrames");
            Logs.warn("local API: refused a request of " + len + " bytes; closing the connection");
            outbox.accepted();
            error(
                0,
                len > maxFrame ? TOO_LARGE : BAD_REQUEST,
                "request length " + len + " outside 5.." + maxFrame);
            endBurst(requests);
            outbox.awaitWritten(1000);
            return;
          }
          int id = h.id();
          int op = h.op();
          outbox.accepted();
          if (!requests.burstHas(len - 5))
            endBurst(requests); // its body may keep the reader waiting
          if (op == OP_PUT
              && len
                  >= 7) { // the hot path: key and value read into their own arrays, no payload copy
            readPut(in, id, len - 7);
            continue;
          }
          byte[] payload = new byte[len - 5];
          in.readFully(payload);
          if (op != OP_DELETE && op != OP_BEGIN && op != OP_END)
            commitQueued(); // other ops may wait for the log (an assignment drains it)
          try {
            handle(id, op, payload);
          } catch (BufferUnderflowException | IllegalArgumentException e) {
            counters.inc("localApiBadRequests");
            error(id, BAD_REQUEST, "malformed request: " + e.getMessage());
          }
        }
      } catch (IOException | InterruptedException e) {
        // connection gone
      } finally {
        commitQueued(); // nothing this connection queued stays behind in the log writer's buffer
        connections.decrementAndGet();
        if (outbox != null) outbox.close();
        for (Consumer<LocalApiTarget.UnitRoleView> w : watches) target.unwatch(w);
        if (channel != null) channel.close();
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }

    /**
     * Commits the burst's writes on this thread (when the log writer is idle; else the log writer takes
     * them with what it is writing), then writes the responses this thread produced, among them the
     * acknowledgements that commit completed: no thread hand-off on an Asynchronous write's path.
     */
    private void endBurst(RequestStream requests) throws IOException {
      commitQueued();
      requests.burstCommitted();
      outbox.writeHere();
    }

    /**
     * The replica this connection queued writes to without waking the log writer: they are committed on this
     * thread at the end of the burst. Null when nothing is queued.
     */
    private Replica queuedTo;

    private void commitQueued() {
      Replica r = queuedTo;
      queuedTo = null;
      if (r != null) r.commitInline();
    }

    /** PUT: u16 key length, key, value (the rest of the frame, {@code rest} bytes after the key length). */
    private void readPut(DataInputStream in, int id, int rest) throws IOException {
      int klen = in.readUnsignedShort();
      if (klen == 0 || klen > MAX_KEY || klen > rest) {
        in.skipNBytes(rest);
        counters.inc("localApiBadRequests");
        error(id, klen > MAX_KEY ? TOO_LARGE : BAD_REQUEST, "key length " + klen);
        return;
      }
      byte[] key = new byte[klen];
      in.readFully(key);
      if (rest - klen > cfg.maxValueBytes()) {
        in.skipNBytes(rest - klen);
        error(id, TOO_LARGE, "value of " + (rest - klen) + " bytes exceeds " + cfg.maxValueBytes());
        return;
      }
      byte[] value = new byte[rest - klen];
      in.readFully(value);
      write(id, RecordType.PUT, key, value);
    }

    private void handle(int id, int op, byte[] p) {
      ByteBuffer b = ByteBuffer.wrap(p);
      switch (op) {
        case OP_PUT -> throw new IllegalArgumentException("a put needs a key length");
        case OP_DELETE, OP_BEGIN, OP_END -> {
          if (p.length == 0 || p.length > MAX_KEY) {
            error(
                id,
                p.length > MAX_KEY ? TOO_LARGE : BAD_REQUEST,
                (op == OP_DELETE ? "key" : "stimulus id") + " length " + p.length);
            return;
          }
          write(
              id,
              op == OP_DELETE
                  ? RecordType.DELETE
                  : op == OP_BEGIN ? RecordType.BEGIN : RecordType.END,
              p,
              null);
        }
        case OP_GET -> {
          Replica replica = served(id);
          if (replica == null) return;
          byte[] v = replica.store().state().get(Key.wrap(p));
          if (v == null) respond(id, NOT_FOUND, new byte[0]);
          else respond(id, OK, v);
        }
        case OP_SCAN -> {
          Replica replica = served(id);
          if (replica != null) respond(id, OK, LocalApiPayloads.scan(replica, b));
        }
        case OP_IN_FLIGHT -> {
          Replica replica = served(id);
          if (replica != null) respond(id, OK, LocalApiPayloads.inFlight(replica));
        }
        case OP_STATUS -> respond(id, OK, LocalApiPayloads.lines(target.statusLines()));
        case OP_WATCH -> {
          Consumer<LocalApiTarget.UnitRoleView> w = v -> outbox.respond(
              id, EVENT, LocalApiPayloads.event(v), false); // later events answer nothing
          watches.add(w);
          target.watch(w);
          respond(id, EVENT, LocalApiPayloads.event(target.view("current role")));
        }
        case OP_APP_HEARTBEAT -> {
          int ttl = b.getInt();
          boolean healthy = b.get() != 0;
          appHealth.heartbeat(ttl, healthy);
          respond(id, OK, new byte[0]);
        }
        case OP_ASSIGN -> {
          int roleCode = b.get();
          long epoch = b.getLong();
          int modeCode = b.get();
          String peer = text(b);
          String unit = b.remaining() >= 2 ? text(b) : null; // older clients name no unit
          // optional: the quarantined stimuli, as a Kubernetes assignment carries them
          List<String> quarantined = b.remaining() >= 2 ? readNames(b) : null;
          // optional: the unavailable dependencies, likewise
          List<String> unavailable = b.remaining() >= 2 ? readNames(b) : null;
          // optional: a next peer (make-before-break), as a one-name list
          List<String> next = b.remaining() >= 2 ? readNames(b) : List.of();
          answer(
              id,
              target.assign(
                  unit == null || unit.isEmpty() ? null : unit,
                  LocalApiPayloads.role(roleCode),
                  epoch,
                  peer,
                  next.isEmpty() ? null : next.get(0),
                  LocalApiPayloads.mode(modeCode),
                  quarantined,
                  unavailable));
        }
        case OP_POOL_ADD -> {
          String unit = text(b);
          answer(id, target.addUnit(unit, text(b)));
        }
        case OP_POOL_REMOVE -> answer(id, target.removeUnit(text(b)));
        case OP_PING -> respond(id, OK, new byte[0]);
        case OP_REPROCESSING -> {
          if (p.length == 0 || p.length > MAX_KEY) {
            error(
                id, p.length > MAX_KEY ? TOO_LARGE : BAD_REQUEST, "stimulus id length " + p.length);
            return;
          }
          Replica replica = served(id);
          if (replica == null) return;
          replica.reprocessing().now(new String(p, StandardCharsets.UTF_8));
          target.reportServedNow(); // the evidence is out before the application goes on with it
          respond(id, OK, new byte[0]);
        }
        case OP_DEPENDENCIES -> {
          List<String> unavailable = target.unavailableDependencies();
          if (unavailable == null)
            error(id, FORBIDDEN, "a pooled sidecar does not tell its units' dependencies yet");
          else respond(id, OK, encodeNames(unavailable));
        }
        default -> {
          counters.inc("localApiBadRequests");
          error(id, BAD_REQUEST, "unknown op " + op);
        }
      }
    }

    /** The replica served now; null (and NOT_PRIMARY answered) when this pooled sidecar serves no unit. */
    private Replica served(int id) {
      Replica r = target.served().replica();
      if (r == null) error(id, NOT_PRIMARY, target.notServing());
      return r;
    }

    private void answer(int id, LocalApiTarget.Answer a) {
      if (a.status() == OK) respond(id, OK, new byte[0]);
      else error(id, a.status(), a.message());
    }

    private void write(int id, RecordType type, byte[] key, byte[] value) {
      Replica replica = served(id);
      if (replica == null) return;
      if (queuedTo != replica)
        commitQueued(); // a pooled sidecar switched units: one replica at a time
      try {
        replica.awaitWriterRoom(); // a client pipelining without bound waits for the disk
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error(id, INTERNAL, "interrupted");
        return;
      }
      replica.write(
          type,
          key,
          value,
          new Replica.Completion() {
            // Called by whoever completes the write, often inside the log writer's critical
            // section: queue only, then push (written at once when the socket takes it, never
            // waiting).
            @Override
            public void ok(long seq) {
              outbox.queue(id, OK, ByteBuffer.allocate(8).putLong(seq).array(), true);
            }

            @Override
            public void fail(int status, String message) {
              outbox.queue(id, status, message.getBytes(StandardCharsets.UTF_8), true);
            }

            @Override
            public void flush() {
              outbox.push();
            }
          },
          true);
      queuedTo = replica;
    }
  }
}
