package dev.availability.ou.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@link MemberApi} on the JDK alone: {@link HttpClient} (HTTP/1.1, TLS trusting only the cluster CA, a bearer
 * token from a file) and a plain JSON tree on jackson-core's streaming parser ({@link Json}). Made for the
 * sidecar, which runs in every pod: no Kubernetes client library, no data binding.
 *
 * <p>The calls: {@code GET /api/v1/namespaces/{ns}/pods?fieldSelector=metadata.name={pod}} then
 * {@code ...&watch=true&resourceVersion=...&allowWatchBookmarks=true&timeoutSeconds=...} (line-delimited watch
 * events; when a watch ends it resumes from the last resourceVersion, after a failure with a backoff of 0.2 s
 * doubling to 10 s, and on 410 Gone it lists again); {@code PATCH .../pods/{pod}} as
 * {@code application/merge-patch+json}; {@code GET .../pods/{peer}}; {@code GET} and {@code PUT
 * /apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}} (the PUT carries the resourceVersion read, so a
 * concurrent change fails with 409).
 *
 * <p>The token file is re-read every {@link ApiServerAccess#tokenReread()} and at once after a 401, after which
 * the request is sent again once (bound ServiceAccount tokens rotate). A request whose connection fails before
 * an answer is sent again once (all four operations are safe to repeat).
 */
public final class HttpMemberApi implements MemberApi {
  /** Kubernetes MicroTime (RFC 3339 with microseconds, UTC), as {@code Lease.spec.renewTime} takes it. */
  static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  static final long MIN_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 10_000;
  /** A watch still open this long after the server should have ended it is taken for a dead connection. */
  static final Duration WATCH_GRACE = Duration.ofSeconds(30);

  private final ApiServerAccess access;
  private final String namespace;
  private final String base;
  private final HttpClient http;
  private final Object tokenLock = new Object();
  private volatile String token;
  private volatile String tokenProblem;
  private long tokenReadNanos;
  private final List<PodWatch> watches = new CopyOnWriteArrayList<>();
  private final AtomicLong watchConnections = new AtomicLong();
  private final AtomicLong relists = new AtomicLong();
  private volatile Thread guard;

  public HttpMemberApi(ApiServerAccess access, String namespace) {
    this.access = Objects.requireNonNull(access);
    this.namespace = Objects.requireNonNull(namespace);
    String s = access.server().toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(access.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    if ("https".equals(access.server().getScheme())) b.sslContext(trusting(access.caFile()));
    this.http = b.build();
    refreshToken(true);
  }

  /** An SSL context that trusts exactly the CA certificates in {@code caFile} (PEM, one or more). */
  static SSLContext trusting(Path caFile) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(caFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the cluster CA certificate from " + caFile + " (OU_API_CA_FILE): " + e, e);
    }
    if (certs.isEmpty()) throw new IllegalArgumentException("no certificate in " + caFile + " (OU_API_CA_FILE)");
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) trust.setCertificateEntry("ca-" + i++, c);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS with the CA in " + caFile + ": " + e, e);
    }
  }

  // --- the four operations ---

  @Override
  public AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
    PodWatch w = new PodWatch(name, onPod, onTrouble);
    w.list(); // the first list is the caller's: its failure is thrown
    watches.add(w);
    w.thread.start();
    startGuard();
    return w;
  }

  @Override
  public void mergePatchPod(String name, String mergePatchJson) {
    String what = "patch pod " + name;
    Answer a = call(what, "PATCH", podPath(name), "application/merge-patch+json", mergePatchJson);
    if (!a.ok()) throw failure(what, a);
  }

  @Override
  public PodMeta getPod(String name) {
    Object tree = getOrNull("get pod " + name, podPath(name));
    return tree == null ? null : podMeta(tree);
  }

  @Override
  public LeaseState getLease(String name) {
    Object tree = getOrNull("get lease " + name, leasePath(name));
    return tree == null ? null : leaseState(tree);
  }

  /** The object at {@code path} as a JSON tree, or null when there is none (404). */
  private Object getOrNull(String what, String path) {
    Answer a = call(what, "GET", path, null, null);
    if (a.status() == 404) return null;
    if (!a.ok()) throw failure(what, a);
    return tree(what, a.body());
  }

  @Override
  public LeaseState renewLease(LeaseState lease, Instant renewTime) {
    String what = "update lease " + lease.name();
    // The lease as read (its resourceVersion makes the PUT optimistic), every field kept, renewTime set.
    Map<String, Object> body = Json.map(Json.copy(lease.handle()));
    Map<String, Object> spec = body.get("spec") instanceof Map ? Json.map(body.get("spec")) : new LinkedHashMap<>();
    body.put("spec", spec);
    spec.put("renewTime", MICRO_TIME.format(renewTime));
    Answer a = call(what, "PUT", leasePath(lease.name()), "application/json", Json.write(body));
    if (!a.ok()) throw failure(what, a);
    return leaseState(tree(what, a.body()));
  }

  @Override
  public void close() {
    for (PodWatch w : watches) w.close();
    Thread g = guard;
    if (g != null) g.interrupt();
    http.shutdownNow();
  }

  /** Watch connections opened so far (a watch that ended and resumed counts again): for tests and diagnostics. */
  public long watchConnections() {
    return watchConnections.get();
  }

  /** Lists made after the first one of a watch (on 410 Gone, or after a failure with no resourceVersion). */
  public long relists() {
    return relists.get();
  }

  // --- HTTP ---

  record Answer(int status, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private String podsPath() {
    return "/api/v1/namespaces/" + enc(namespace) + "/pods";
  }

  private String podPath(String name) {
    return podsPath() + "/" + enc(name);
  }

  private String leasePath(String name) {
    return "/apis/coordination.k8s.io/v1/namespaces/" + enc(namespace) + "/leases/" + enc(name);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(access.requestTimeout())
        .header("Accept", "application/json").header("User-Agent", "ou-sidecar");
    refreshToken(false);
    String t = token;
    if (t != null) b.header("Authorization", "Bearer " + t);
    return b;
  }

  /** One call: sent again once after a connection failure, and once after a 401 if the token file changed. */
  private Answer call(String what, String method, String pathAndQuery, String contentType, String body) {
    boolean resentAfterIo = false;
    boolean resentAfter401 = false;
    while (true) {
      HttpRequest.Builder b = request(pathAndQuery)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) b.header("Content-Type", contentType);
      HttpResponse<String> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw new MemberApiException(0, what + " in namespace " + namespace + " failed: no answer from the API server at " + base
            + " within " + access.requestTimeout().toMillis() + " ms", e);
      } catch (IOException e) {
        if (!resentAfterIo) {
          resentAfterIo = true; // a pooled connection the server closed meanwhile
          continue;
        }
        throw unreachable(what, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MemberApiException(0, what + " interrupted", e);
      }
      if (r.statusCode() == 401 && !resentAfter401 && refreshToken(true)) {
        resentAfter401 = true;
        continue;
      }
      return new Answer(r.statusCode(), r.body());
    }
  }

  private MemberApiException unreachable(String what, IOException e) {
    return new MemberApiException(0, what + " in namespace " + namespace + " failed: cannot reach the API server at " + base + ": " + e, e);
  }

  MemberApiException failure(String what, Answer a) {
    int status = a.status();
    String noToken = token == null
        ? " (no token was sent: " + access.tokenFile() + " could not be read" + (tokenProblem == null ? "" : ", " + tokenProblem) + ")" : "";
    String explained = switch (status) {
      case 401 -> "401 Unauthorized: the API server did not accept the token"
          + (token == null ? noToken : " from " + access.tokenFile() + " (expired or revoked; the file was read again)");
      case 403 -> "403 Forbidden: " + (token == null ? "anonymous requests may not do this" + noToken
          : "the ServiceAccount lacks the permission (a member needs pods get, list, watch, patch and its unit's lease get, update)");
      case 404 -> "404 Not Found";
      case 409 -> "409 Conflict: the object changed since it was read";
      case 410 -> "410 Gone: the resourceVersion is too old";
      default -> status >= 500 ? status + " from the API server (server error)" : "HTTP " + status;
    };
    String said = serverMessage(a.body());
    return new MemberApiException(status, what + " in namespace " + namespace + " failed: " + explained + (said.isEmpty() ? "" : "; the server said: " + said));
  }

  /** The message of a Status answer, or the start of any other body. */
  static String serverMessage(String body) {
    if (body == null || body.isBlank()) return "";
    try {
      String m = Json.text(Json.map(Json.parse(body)), "message");
      if (m != null) return m;
    } catch (RuntimeException e) {
      // not JSON: show its start
    }
    String b = body.strip();
    return b.length() > 200 ? b.substring(0, 200) + "..." : b;
  }

  /** Re-reads the token file when forced or when the last read is older than the interval; returns whether the token changed. */
  private boolean refreshToken(boolean force) {
    synchronized (tokenLock) {
      long now = System.nanoTime();
      if (!force && tokenReadNanos != 0 && now - tokenReadNanos < access.tokenReread().toNanos()) return false;
      tokenReadNanos = now;
      String next;
      try {
        next = Files.readString(access.tokenFile()).trim();
        if (next.isEmpty()) next = null;
        tokenProblem = next == null ? "it is empty" : null;
      } catch (IOException e) {
        next = token; // keep the last token; the API server decides
        tokenProblem = e.toString();
      }
      boolean changed = !Objects.equals(next, token);
      token = next;
      return changed;
    }
  }

  // --- JSON ---

  private static Object tree(String what, String body) {
    try {
      return Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new MemberApiException(0, what + ": the API server's answer is " + e.getMessage(), e);
    }
  }

  static PodMeta podMeta(Object pod) {
    Map<String, Object> md = Json.map(Json.map(pod).get("metadata"));
    return new PodMeta(Json.text(md, "name"), Json.strings(md.get("labels")), Json.strings(md.get("annotations")));
  }

  static LeaseState leaseState(Object lease) {
    if (!(lease instanceof Map)) throw new MemberApiException(0, "a Lease answer is not a JSON object");
    Map<String, Object> l = Json.map(lease);
    Map<String, Object> md = Json.map(l.get("metadata"));
    Map<String, Object> spec = Json.map(l.get("spec"));
    Long seconds = spec.get("leaseDurationSeconds") instanceof Number n ? n.longValue() : null;
    return new LeaseState(Json.text(md, "name"), Json.text(md, "resourceVersion"), Json.text(spec, "holderIdentity"),
        seconds == null ? null : seconds.intValue(), Json.strings(md.get("annotations")), l);
  }

  // --- the watch ---

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
          w.onTrouble.accept("watch of pod " + w.pod + " still open past its timeout: taking the connection for dead, reconnecting");
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
      Answer a = call(what, "GET", podsPath() + "?fieldSelector=" + selector, null, null);
      if (!a.ok()) throw failure(what, a);
      Map<String, Object> list = Json.map(tree(what, a.body()));
      if (listed) relists.incrementAndGet();
      listed = true;
      for (Object item : Json.list(list.get("items"))) deliver(item);
      resourceVersion = Json.text(Json.map(list.get("metadata")), "resourceVersion");
    }

    void run() {
      long backoff = MIN_BACKOFF_MS;
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
          if (closed) return;
          Thread.interrupted(); // an abort by the guard may have interrupted us; the backoff must still wait
          onTrouble.accept("watch of pod " + pod + " failed (" + e.getMessage() + "); retrying in " + backoff + " ms");
        }
        try {
          Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 4 + 1));
        } catch (InterruptedException e) {
          if (closed) return;
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }

    /** One watch connection from {@link #resourceVersion} until the server ends it; throws on failure. */
    void watchOnce() throws IOException, Gone {
      String what = "watch pod " + pod;
      long timeout = Math.max(1, access.watchTimeout().toSeconds());
      timeout += ThreadLocalRandom.current().nextLong(timeout / 5 + 1);
      String path = podsPath() + "?watch=true&allowWatchBookmarks=true&fieldSelector=" + selector
          + "&resourceVersion=" + enc(resourceVersion) + "&timeoutSeconds=" + timeout;
      HttpResponse<InputStream> r;
      try {
        r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (HttpTimeoutException e) {
        throw new MemberApiException(0, what + ": no answer from the API server at " + base + " within " + access.requestTimeout().toMillis() + " ms", e);
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
        if (r.statusCode() == 401) refreshToken(true);
        throw failure(what, new Answer(r.statusCode(), text));
      }
      watchConnections.incrementAndGet();
      streamDeadlineNanos = System.nanoTime() + Duration.ofSeconds(timeout).plus(WATCH_GRACE).toNanos();
      stream = body;
      if (closed) abortStream();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
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
              throw failure(what + " (an error event)", new Answer(code, Json.write(object)));
            }
            default -> { }
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
        onPod.accept(podMeta(pod));
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
