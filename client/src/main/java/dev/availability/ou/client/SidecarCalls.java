package dev.availability.ou.client;

import dev.availability.ou.client.SidecarConnection.Response;
import dev.availability.ou.client.SidecarConnection.Watch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link OuClient}'s plumbing: one {@link SidecarConnection} at a time, re-established after a break with every
 * watch subscribed again, and requests sent on it and waited for at most the client's timeout.
 */
final class SidecarCalls {
  private final InetSocketAddress address;
  private final Duration timeout;
  private final ReentrantLock connectLock = new ReentrantLock();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private volatile SidecarConnection connection;
  private volatile boolean closed;

  SidecarCalls(InetSocketAddress address, Duration timeout) {
    this.address = address;
    this.timeout = timeout;
  }

  /** Subscribes {@code w} now if connected, and on every connection after; returns how to unsubscribe. */
  Runnable watch(Watch w) {
    watches.add(w);
    try {
      connection().watch(w);
    } catch (SidecarUnavailableException e) {
      // re-subscribed on the next successful connection
    }
    return () -> watches.remove(w);
  }

  /** Sends and waits; a status other than OK (or one of {@code alsoAccepted}) is thrown as its exception. */
  Response call(int op, byte[] payload, int... alsoAccepted) {
    CompletableFuture<Response> f = sendRaw(op, payload);
    Response r;
    try {
      r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new SidecarUnavailableException("no answer from the sidecar within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SidecarUnavailableException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OuException o) throw o;
      throw new SidecarUnavailableException(String.valueOf(e.getCause()), e.getCause());
    }
    for (int s : alsoAccepted) if (r.status() == s) return r;
    if (r.status() != LocalProtocol.OK) throw ResponseFailures.of(r);
    return r;
  }

  CompletableFuture<Response> send(int op, byte[] payload) {
    return sendRaw(op, payload).thenApply(r -> {
      if (r.status() != LocalProtocol.OK) throw ResponseFailures.of(r);
      return r;
    });
  }

  void close() {
    closed = true;
    SidecarConnection c = connection;
    if (c != null) c.close(new SidecarUnavailableException("client closed", null));
  }

  private CompletableFuture<Response> sendRaw(int op, byte[] payload) {
    SidecarConnection c;
    try {
      c = connection();
    } catch (SidecarUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    return c.send(op, payload);
  }

  SidecarConnection connection() {
    SidecarConnection c = connection;
    if (c != null && !c.broken) return c;
    if (closed) throw new SidecarUnavailableException("client closed", null);
    connectLock.lock();
    try {
      c = connection;
      if (c != null && !c.broken) return c;
      c = new SidecarConnection(address);
      connection = c;
      for (Watch w : watches) c.watch(w);
      return c;
    } catch (IOException e) {
      throw new SidecarUnavailableException(
          "cannot reach the sidecar at " + address + ": " + e.getMessage(), e);
    } finally {
      connectLock.unlock();
    }
  }
}
