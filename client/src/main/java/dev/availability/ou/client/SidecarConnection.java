package dev.availability.ou.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/** One connection to the sidecar's local API: pipelined requests, a reader thread dispatching responses by id. */
final class SidecarConnection {
  /** A response frame: its status and payload. */
  record Response(int status, byte[] payload) {}

  /** A role-change subscription, sent again on every new connection. */
  static final class Watch {
    final Consumer<RoleChange> listener;

    Watch(Consumer<RoleChange> listener) {
      this.listener = listener;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicInteger writers = new AtomicInteger();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
  private final Map<Integer, Watch> watchesById = new ConcurrentHashMap<>();
  volatile boolean broken;
  /** Why the connection closed: the first reason given, which every request still pending fails with. */
  private final AtomicReference<SidecarUnavailableException> closedBecause =
      new AtomicReference<>();

  SidecarConnection(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(address, 5000);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    out.write(LocalProtocol.PREFACE);
    out.flush();
    byte[] echo = in.readNBytes(4);
    if (!Arrays.equals(echo, LocalProtocol.PREFACE)) {
      socket.close();
      throw new IOException("not an ou-sidecar local API (bad preface)");
    }
    Thread t = new Thread(this::readLoop, "ou-client-reader");
    t.setDaemon(true);
    t.start();
  }

  /** Id 0 is the sidecar's for errors about the whole connection (see docs/sidecar-api.md). */
  private int nextId() {
    int id = ids.incrementAndGet();
    return id != 0 ? id : ids.incrementAndGet();
  }

  CompletableFuture<Response> send(int op, byte[] payload) {
    int id = nextId();
    CompletableFuture<Response> f = new CompletableFuture<>();
    pending.put(id, f);
    write(id, op, payload);
    return f;
  }

  void watch(Watch w) {
    int id = nextId();
    watchesById.put(id, w);
    write(id, LocalProtocol.OP_WATCH, new byte[0]);
  }

  private void write(int id, int op, byte[] payload) {
    byte[] header = ByteBuffer.allocate(9)
        .putInt(5 + payload.length)
        .putInt(id)
        .put((byte) op)
        .array();
    writers.incrementAndGet();
    writeLock.lock();
    try {
      out.write(header);
      out.write(payload);
      if (writers.decrementAndGet() == 0) out.flush(); // the last waiting writer flushes for all
    } catch (IOException e) {
      close(
          new SidecarUnavailableException("connection to the sidecar broke: " + e.getMessage(), e));
    } finally {
      writeLock.unlock();
    }
    if (broken) {
      CompletableFuture<Response> f = pending.remove(id);
      SidecarUnavailableException why = closedBecause.get();
      if (f != null)
        f.completeExceptionally(
            why != null
                ? why
                : new SidecarUnavailableException("connection to the sidecar is broken", null));
    }
  }

  private void readLoop() {
    try {
      while (true) {
        int len = in.readInt();
        if (len < 5 || len > LocalProtocol.MAX_FRAME)
          throw new IOException("bad response length " + len);
        int id = in.readInt();
        int status = in.readUnsignedByte();
        byte[] payload = new byte[len - 5];
        in.readFully(payload);
        if (status == LocalProtocol.EVENT) {
          Watch w = watchesById.get(id);
          if (w != null) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            MemberRole role = MemberRole.of(b.get());
            long epoch = b.getLong();
            boolean serving = b.get() != 0;
            byte[] reason = new byte[b.getShort() & 0xffff];
            b.get(reason);
            String unit = null; // sidecars older than pools send none; one not pooled, an empty one
            if (b.remaining() >= 2) {
              byte[] u = new byte[b.getShort() & 0xffff];
              b.get(u);
              if (u.length > 0) unit = new String(u, StandardCharsets.UTF_8);
            }
            // sidecars older than dependencies send none
            var unavailable = b.remaining() >= 2 ? LocalProtocol.readNames(b) : null;
            try {
              w.listener.accept(new RoleChange(
                  role,
                  epoch,
                  serving,
                  new String(reason, StandardCharsets.UTF_8),
                  unit,
                  unavailable));
            } catch (RuntimeException e) {
              // a listener's failure must not break the connection
            }
          }
          continue;
        }
        if (id == 0
            && status
                != LocalProtocol.OK) { // about the connection, not a request: the sidecar closes it
          throw new IOException(
              "the sidecar closed the connection: " + new String(payload, StandardCharsets.UTF_8));
        }
        CompletableFuture<Response> f = pending.remove(id);
        if (f != null) f.complete(new Response(status, payload));
      }
    } catch (IOException e) {
      close(
          new SidecarUnavailableException("connection to the sidecar broke: " + e.getMessage(), e));
    }
  }

  /**
   * Closes with {@code reason} unless it was closed already. A later reason is only a consequence (a write
   * meeting the socket the reader closed after the sidecar's connection-level error): the requests pending
   * fail with the first, so a caller is told the sidecar's words, not "Socket closed".
   */
  void close(SidecarUnavailableException reason) {
    closedBecause.compareAndSet(null, reason);
    SidecarUnavailableException why = closedBecause.get();
    broken = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Integer id : pending.keySet()) {
      CompletableFuture<Response> f = pending.remove(id);
      if (f != null) f.completeExceptionally(why);
    }
  }
}
