package dev.availability.ou.e2e.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One writer: a unique key and value at its share of the rate, each PUT bounded by the timeout, every
 * attempt recorded. Connections are pooled while writes succeed. After any failure the writer drops its
 * connections, so its next write opens a new one. A forwarder that picks the Service's endpoint per
 * connection then reaches the current primary, and a kept connection to a dead or deposed member is not
 * reused.
 */
final class WriterLoop implements Runnable {
  /** A writer behind its schedule by more than this (or two intervals) skips ahead instead of sending a burst. */
  static final long CATCH_UP_LIMIT_NANOS = 100_000_000L;

  private final int id;
  private final String runId;
  private final LoadSettings settings;
  private final long firstAtNanos;
  private final BooleanSupplier running;
  private final Consumer<Attempt> record;
  private HttpClient http;

  WriterLoop(
      int id,
      String runId,
      LoadSettings settings,
      long firstAtNanos,
      BooleanSupplier running,
      Consumer<Attempt> record) {
    this.id = id;
    this.runId = runId;
    this.settings = settings;
    this.firstAtNanos = firstAtNanos;
    this.running = running;
    this.record = record;
  }

  @Override
  public void run() {
    long interval = settings.intervalNanos();
    long catchUpLimit = Math.max(2 * interval, CATCH_UP_LIMIT_NANOS);
    long next = firstAtNanos;
    try {
      for (long n = 0; running.getAsBoolean(); n++) {
        waitUntil(next);
        if (!running.getAsBoolean()) break;
        Attempt a = write(runId + "-w" + id + "-" + n);
        record.accept(a);
        if (!a.acked()) dropConnections();
        // A steady rate: the next slot; a write that ran late is made up, but not the slots an
        // outage took.
        next += interval;
        long now = System.nanoTime();
        if (now - next > catchUpLimit) next = now;
      }
    } finally {
      dropConnections();
    }
  }

  private Attempt write(String key) {
    String value = "v:" + key;
    HttpRequest request = HttpRequest.newBuilder(URI.create(settings.baseUri() + "/kv/" + key))
        .timeout(settings.timeout())
        .PUT(HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8))
        .build();
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = client().send(request, HttpResponse.BodyHandlers.ofString());
      long end = System.nanoTime();
      if (r.statusCode() != 200)
        return Attempt.failed(
            id, key, value, start, end, "http " + r.statusCode(), firstLine(r.body()));
      String member = r.headers().firstValue("OU-Member").orElse(null);
      long epoch =
          r.headers().firstValue("OU-Epoch").map(WriterLoop::parseEpoch).orElse(Attempt.NO_EPOCH);
      return Attempt.acked(id, key, value, start, end, member, epoch);
    } catch (HttpConnectTimeoutException e) {
      return Attempt.failed(
          id, key, value, start, System.nanoTime(), "connect timeout", e.getMessage());
    } catch (HttpTimeoutException e) {
      return Attempt.failed(id, key, value, start, System.nanoTime(), "timeout", e.getMessage());
    } catch (ConnectException e) {
      return Attempt.failed(
          id, key, value, start, System.nanoTime(), "connect", String.valueOf(e.getMessage()));
    } catch (IOException e) {
      return Attempt.failed(
          id,
          key,
          value,
          start,
          System.nanoTime(),
          "io",
          e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Attempt.failed(
          id, key, value, start, System.nanoTime(), "interrupted", "the client stopped");
    }
  }

  private HttpClient client() {
    if (http == null) {
      http = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(settings.timeout())
          .build();
    }
    return http;
  }

  private void dropConnections() {
    if (http != null) http.shutdownNow();
    http = null;
  }

  private static long parseEpoch(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Attempt.NO_EPOCH;
    }
  }

  static String firstLine(String body) {
    if (body == null) return "";
    int nl = body.indexOf('\n');
    String line = nl < 0 ? body : body.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  private void waitUntil(long atNanos) {
    for (long left = atNanos - System.nanoTime();
        left > 0 && running.getAsBoolean();
        left = atNanos - System.nanoTime()) {
      LockSupport.parkNanos(
          Math.min(left, 50_000_000L)); // wakes at least every 50 ms to see a stop
    }
  }
}
