package dev.availability.ou.memberapi;

import static dev.availability.ou.memberapi.ApiServerHttp.enc;
import static dev.availability.ou.memberapi.ApiServerHttp.tree;

import dev.availability.ou.memberapi.ApiServerHttp.Answer;
import dev.availability.ou.memberapi.MemberApi.PodMeta;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The pod watches of {@link HttpMemberApi}: each lists its pod, then watches from the last resourceVersion (resuming
 * when a watch ends, after a failure with a backoff of 0.2 s doubling to 3.2 s, listing again on 410 Gone); a guard
 * thread ends watch connections the server should have ended long ago. Any other call the API server answers (the
 * Lease renewal, every few hundred milliseconds) ends every watch's backoff at once: after an outage of the API server
 * a member sees its assignment as soon as the server is back, not up to one full backoff later.
 */
final class PodWatches {
  static final long MIN_BACKOFF_MS = 200;
  /**
   * A member may wait this long (plus a quarter, jitter) to see its assignment once the API server is back, if no
   * other call of its own was answered meanwhile (a standby with nothing new to report): kept within a failover's
   * budget. At 2,000 members that is at most ~600 connection attempts a second against a server that is down.
   */
  static final long MAX_BACKOFF_MS = 3_200;
  /** A watch still open this long after the server should have ended it is taken for a dead connection. */
  static final Duration WATCH_GRACE = Duration.ofSeconds(30);
  /** How long a watch's first list is asked again while the server does not answer or fails ({@link #firstList}). */
  static final Duration FIRST_LIST_PATIENCE = Duration.ofSeconds(30);

  private final ApiServerHttp api;
  private final ApiServerAccess access;
  private final String podsPath;
  private final List<PodWatch> watches = new CopyOnWriteArrayList<>();
  private final AtomicLong watchConnections = new AtomicLong();
  private final AtomicLong relists = new AtomicLong();
  private volatile Thread guard;
  private final Object answered = new Object();
  private long answers; // calls the API server answered; guarded by answered

  PodWatches(ApiServerHttp api, ApiServerAccess access, String podsPath) {
    this.api = api;
    this.access = access;
    this.podsPath = podsPath;
    api.onAnswer(this::apiAnswered);
  }

  /** The API server answered a call: watches waiting out a backoff try again now. */
  private void apiAnswered() {
    synchronized (answered) {
      answers++;
      answered.notifyAll();
    }
  }

  private long answers() {
    synchronized (answered) {
      return answers;
    }
  }

  /**
   * Waits {@code millis}, or less if the API server answers a call after {@code seen} answers (then returns true);
   * {@code seen} -1 waits the whole time.
   */
  private boolean awaitBackoff(long millis, long seen) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (answered) {
      for (long left = millis;
          left > 0 && (seen < 0 || answers == seen);
          left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
        answered.wait(left);
      }
      return seen >= 0 && answers != seen;
    }
  }

  AutoCloseable watch(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    PodWatch w = new PodWatch(name, onPod, onTrouble);
    firstList(w, FIRST_LIST_PATIENCE);
    watches.add(w);
    w.thread.start();
    startGuard();
    return w;
  }

  void close() {
    for (PodWatch w : watches) w.close();
    Thread g = guard;
    if (g != null) g.interrupt();
  }

  /**
   * The first list is the caller's: a refusal (4xx: no rights, no such pod) is thrown at once, but a server that does
   * not answer or fails (5xx) is asked again with the watch's backoff for up to {@code patience}, each failure said to
   * the watch's {@code onTrouble}. A member starting on a loaded machine may wait longer than one request's limit
   * ({@code OU_API_REQUEST_TIMEOUT}) for its first answer (a cold JVM's first TLS handshake): exiting then put the
   * process kubelet's pods in a crash loop for minutes (seen when a pool's 6 pods started at once on 2 cores).
   */
  void firstList(PodWatch w, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long backoff = MIN_BACKOFF_MS;
    while (true) {
      try {
        w.list();
        return;
      } catch (MemberApiException e) {
        boolean refused = e.status() > 0 && e.status() < 500;
        if (refused || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - deadline > 0)
          throw e;
        w.onTrouble.accept("list pod " + w.pod + " failed (" + e.getMessage() + "); retrying in "
            + backoff + " ms");
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MemberApiException(0, "list pod " + w.pod + " interrupted", e);
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  /** Watch connections opened so far (a watch that ended and resumed counts again): for tests and diagnostics. */
  long watchConnections() {
    return watchConnections.get();
  }

  /** Lists made after the first one of a watch (on 410 Gone, or after a failure with no resourceVersion). */
  long relists() {
    return relists.get();
  }

  /** The watch ended with 410 Gone: its resourceVersion is too old; list again. */
  private static final class Gone extends Exception {
    Gone() {
      super(null, null, false, false);
    }
  }

  private void startGuard() {
    synchronized (watches) {
      if (guard != null) return;
      Thread g = new Thread(this::guardLoop, "ou-k8s-watch-guard");
      g.setDaemon(true);
      guard = g;
      g.start();
    }
  }

  /** Ends a watch connection the server should have ended long ago (a half-open connection): it reconnects. */
  private void guardLoop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (PodWatch w : watches) {
        if (w.stream != null && now - w.streamDeadlineNanos > 0) {
          w.onTrouble.accept("watch of pod " + w.pod
              + " still open past its timeout: taking the connection for dead, reconnecting");
          w.abortStream();
        }
      }
    }
  }

  private final class PodWatch implements AutoCloseable {
    final String pod;
    final Consumer<PodMeta> onPod;
    final Consumer<String> onTrouble;
    final String selector;
    final Thread thread;
    volatile boolean closed;
    volatile InputStream stream;
    volatile long streamDeadlineNanos;
    private String resourceVersion;
    private boolean listed;

    PodWatch(String pod, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
      this.pod = pod;
      this.onPod = onPod;
      this.onTrouble = onTrouble;
      this.selector = enc("metadata.name=" + pod);
      this.thread = new Thread(this::run, "ou-k8s-watch-" + pod);
      thread.setDaemon(true);
    }

    void list() {
      String what = "list pod " + pod;
      Answer a = api.call(what, "GET", podsPath + "?fieldSelector=" + selector, null, null);
      if (!a.ok()) throw api.failure(what, a);
      Map<String, Object> list = Json.map(tree(what, a.body()));
      if (listed) relists.incrementAndGet();
      listed = true;
      for (Object item : Json.list(list.get("items"))) deliver(item);
      resourceVersion = Json.text(Json.map(list.get("metadata")), "resourceVersion");
    }

    void run() {
      long backoff = MIN_BACKOFF_MS;
      long seen = 0;
      while (!closed) {
        try {
          if (resourceVersion == null) list();
          watchOnce();
          backoff = MIN_BACKOFF_MS; // it was open and ended: resume at once
          continue;
        } catch (Gone g) {
          resourceVersion = null; // too old: list again at once
          continue;
        } catch (RuntimeException | IOException e) {
          // Only a server that was away or failing (no answer, 5xx) is worth retrying early when it
          // answers again.
          seen = e instanceof MemberApiException m && m.status() > 0 && m.status() < 500
              ? -1
              : answers();
          if (closed) return;
          Thread.interrupted(); // an abort by the guard may have interrupted us; the backoff must
          // still wait
          onTrouble.accept("watch of pod " + pod + " failed (" + e.getMessage() + "); retrying in "
              + backoff + " ms");
        }
        try {
          boolean serverBack =
              awaitBackoff(backoff + ThreadLocalRandom.current().nextLong(backoff / 4 + 1), seen);
          backoff = serverBack ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoff * 2);
        } catch (InterruptedException e) {
          if (closed) return;
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
      }
    }

    /** One watch connection from {@link #resourceVersion} until the server ends it; throws on failure. */
    void watchOnce() throws IOException, Gone {
      String what = "watch pod " + pod;
      long timeout = Math.max(1, access.watchTimeout().toSeconds());
      timeout += ThreadLocalRandom.current().nextLong(timeout / 5 + 1);
      String path = podsPath + "?watch=true&allowWatchBookmarks=true&fieldSelector=" + selector
          + "&resourceVersion=" + enc(resourceVersion) + "&timeoutSeconds=" + timeout;
      HttpResponse<InputStream> r;
      try {
        r = api.http()
            .send(api.request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (HttpTimeoutException e) {
        throw new MemberApiException(
            0,
            what + ": no answer from the API server at " + api.base() + " within "
                + access.requestTimeout().toMillis() + " ms",
            e);
      } catch (InterruptedException e) {
        throw new IOException(what + " interrupted", e);
      }
      InputStream body = r.body();
      if (r.statusCode() != 200) {
        String text;
        try (body) {
          text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        if (r.statusCode() == 410) throw new Gone();
        if (r.statusCode() == 401) api.refreshToken(true);
        throw api.failure(what, new Answer(r.statusCode(), text));
      }
      watchConnections.incrementAndGet();
      streamDeadlineNanos =
          System.nanoTime() + Duration.ofSeconds(timeout).plus(WATCH_GRACE).toNanos();
      stream = body;
      if (closed) abortStream();
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isBlank()) continue;
          Map<String, Object> event = Json.map(tree(what, line));
          Object object = event.get("object");
          switch (String.valueOf(event.get("type"))) {
            case "ADDED", "MODIFIED" -> {
              remember(object);
              deliver(object);
            }
            case "DELETED", "BOOKMARK" -> remember(object);
            case "ERROR" -> {
              int code = Json.map(object).get("code") instanceof Number n ? n.intValue() : 0;
              if (code == 410) throw new Gone();
              throw api.failure(what + " (an error event)", new Answer(code, Json.write(object)));
            }
            default -> {}
          }
        }
      } finally {
        stream = null;
      }
    }

    private void remember(Object object) {
      String rv = Json.text(Json.map(Json.map(object).get("metadata")), "resourceVersion");
      if (rv != null) resourceVersion = rv;
    }

    private void deliver(Object pod) {
      try {
        onPod.accept(HttpMemberApi.podMeta(pod));
      } catch (RuntimeException e) {
        onTrouble.accept("handling pod " + this.pod + " failed: " + e);
      }
    }

    void abortStream() {
      InputStream s = stream;
      if (s == null) return;
      try {
        s.close(); // cancels the exchange: the blocked read returns, the connection is not reused
      } catch (IOException e) {
        // closing anyway
      }
    }

    @Override
    public void close() {
      closed = true;
      watches.remove(this);
      abortStream();
      thread.interrupt();
    }
  }
}
