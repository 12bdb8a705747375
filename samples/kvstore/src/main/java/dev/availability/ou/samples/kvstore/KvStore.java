package dev.availability.ou.samples.kvstore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.OuException;
import dev.availability.ou.client.RoleChange;
import dev.availability.ou.client.SidecarStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A key-value store over HTTP that keeps no state of its own: every key lives in the unit's replicated
 * state, reached through the local sidecar. Only the primary serves; a standby (or a fenced former
 * primary) answers 503 and says why.
 *
 * <pre>
 * PUT    /kv/{key}   body = value        200 {"key":…,"seq":…}   (acknowledged per the unit's replication mode)
 * GET    /kv/{key}                       200 value | 404
 * DELETE /kv/{key}                       200 {"key":…,"seq":…}
 * GET    /kv                             200 {"key":"value",…}  (values as UTF-8 text)
 * POST   /jobs/{id}  body = text         200 {"state":"done","words":…}  (a journalled job: see {@link Jobs})
 * GET    /jobs/{id}                      200 its outcome: done, ignored (quarantined), or in-flight | 404
 * GET    /status                         200 role, epoch, mode, degraded (a dependency unavailable), counters (JSON)
 * GET    /ready                          200 when connected and primary-serving or standby; else 503
 * GET    /healthz                        200 while the process runs
 * </pre>
 *
 * A request may carry {@code X-Request-Id}; in Journal mode it names the request's journal markers
 * (otherwise a random id does), so a promoted standby can tell which requests were in flight.
 *
 * <p>Every acknowledged write (PUT, DELETE) answers with the headers {@code OU-Member} (this member's name)
 * and {@code OU-Epoch} (the epoch the write was acknowledged at; see {@link AckEpochs}), so a client can
 * tell which member acknowledged what, and under which promotion.
 */
public final class KvStore implements AutoCloseable {
  static final int MAX_VALUE_BYTES = 4 * 1024 * 1024;
  /** Response header of an acknowledged write: the member that acknowledged it. */
  public static final String MEMBER_HEADER = "OU-Member";
  /** Response header of an acknowledged write: the epoch it was acknowledged at. */
  public static final String EPOCH_HEADER = "OU-Epoch";

  private final HttpServer server;
  private final SidecarLink sidecar;
  private final String member;
  private final AckEpochs ackEpochs;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Jobs jobs;

  /**
   * @param listen where the HTTP server listens
   * @param sidecar the sidecar's local API
   * @param member this member's name (its pod's name), returned with every acknowledged write
   */
  public KvStore(InetSocketAddress listen, SidecarLinkSettings sidecar, String member)
      throws IOException {
    this(listen, sidecar, member, new Jobs(false, () -> {}));
  }

  /** As above, with the jobs' poison test hook as given ({@link Jobs}). */
  KvStore(InetSocketAddress listen, SidecarLinkSettings sidecar, String member, Jobs jobs)
      throws IOException {
    this.jobs = jobs;
    this.sidecar = new SidecarLink(sidecar.address(), sidecar.timeout(), sidecar.healthTtl(), jobs);
    this.member = member;
    this.ackEpochs = new AckEpochs(this.sidecar::status);
    this.server = HttpServer.create(listen, 128);
    server.setExecutor(workers);
    server.createContext("/kv", this::kv);
    server.createContext("/jobs", this::jobs);
    server.createContext("/ready", this::ready);
    server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    server.createContext("/status", this::status);
    server.createContext(
        "/",
        ex -> respond(
            ex,
            404,
            "text/plain",
            "not found: try /kv/{key}, /jobs/{id}, /status, /ready, /healthz\n"));
  }

  /** How to reach the sidecar: its local API address, the client's answer timeout, the health session's ttl. */
  public record SidecarLinkSettings(
      InetSocketAddress address, java.time.Duration timeout, java.time.Duration healthTtl) {}

  public KvStore start() {
    sidecar.start();
    server.start();
    Log.info("member " + member + " listening on " + server.getAddress().getHostString() + ":"
        + server.getAddress().getPort());
    return this;
  }

  /** Whether this member serves the unit's requests now: connected, the primary, and serving. */
  boolean servingPrimary() {
    RoleChange role = sidecar.role();
    return sidecar.client() != null
        && role != null
        && role.role() == MemberRole.PRIMARY
        && role.serving();
  }

  /** The port the server listens on (useful when it was started on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void kv(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String method = ex.getRequestMethod();
      if (path.equals("/kv") || path.equals("/kv/")) {
        if (!method.equals("GET")) {
          respond(
              ex, 405, "text/plain", "use GET /kv to list, PUT|GET|DELETE /kv/{key} for one key\n");
          return;
        }
        withClient(ex, READ, (c, role) -> {
          reads.incrementAndGet();
          respond(ex, 200, "application/json", Json.object(c.getAll()));
        });
        return;
      }
      if (!path.startsWith("/kv/")) {
        respond(ex, 404, "text/plain", "not found\n");
        return;
      }
      String key = URLDecoder.decode(path.substring(4), StandardCharsets.UTF_8);
      if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
        respond(ex, 400, "text/plain", "a key has 1 to 1024 bytes\n");
        return;
      }
      switch (method) {
        case "GET" ->
          withClient(ex, READ, (c, role) -> {
            reads.incrementAndGet();
            Optional<byte[]> v = c.get(key);
            if (v.isPresent()) respond(ex, 200, "application/octet-stream", v.get());
            else respond(ex, 404, "text/plain", "no key " + key + "\n");
          });
        case "PUT", "POST" -> {
          byte[] value = readBody(ex);
          if (value == null) return;
          withClient(ex, WRITE, (c, role) -> {
            long seq = write(ex, c, () -> c.put(key, value));
            acknowledged(ex, seq, role);
            respond(
                ex,
                200,
                "application/json",
                "{\"key\":" + Json.string(key) + ",\"seq\":" + seq + "}\n");
          });
        }
        case "DELETE" ->
          withClient(ex, WRITE, (c, role) -> {
            long seq = write(ex, c, () -> c.delete(key));
            acknowledged(ex, seq, role);
            respond(
                ex,
                200,
                "application/json",
                "{\"key\":" + Json.string(key) + ",\"seq\":" + seq + ",\"deleted\":true}\n");
          });
        default ->
          respond(ex, 405, "text/plain", "method " + method + " not allowed on " + path + "\n");
      }
    }
  }

  private void jobs(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String id = path.startsWith("/jobs/")
          ? URLDecoder.decode(path.substring(6), StandardCharsets.UTF_8)
          : "";
      if (id.isEmpty() || id.contains("/") || id.length() > 200) {
        respond(
            ex, 400, "text/plain", "a job is /jobs/{id}: an id of 1 to 200 characters, no '/'\n");
        return;
      }
      switch (ex.getRequestMethod()) {
        case "POST", "PUT" -> {
          byte[] text = readBody(ex);
          if (text == null) return;
          withClient(ex, WRITE, (c, role) -> {
            DegradedMode.check(role);
            writes.incrementAndGet();
            respond(
                ex, 200, "application/json", jobs.submit(c, id, text, sidecar.journal()) + "\n");
          });
        }
        case "GET" ->
          withClient(ex, READ, (c, role) -> {
            reads.incrementAndGet();
            Optional<String> o = jobs.outcome(c, id);
            if (o.isPresent()) respond(ex, 200, "application/json", o.get() + "\n");
            else respond(ex, 404, "text/plain", "no job " + id + "\n");
          });
        default ->
          respond(ex, 405, "text/plain", "POST /jobs/{id} to submit, GET to read its outcome\n");
      }
    }
  }

  private interface Write {
    long apply();
  }

  /** One update; in Journal mode between the request's BEGIN and END markers. */
  private long write(HttpExchange ex, OuClient c, Write w) {
    DegradedMode.check(sidecar.role());
    writes.incrementAndGet();
    if (!sidecar.journal()) return w.apply();
    String id = Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Request-Id"))
        .filter(s -> !s.isBlank())
        .orElseGet(() -> "req-" + UUID.randomUUID());
    c.begin(id);
    long seq = w.apply();
    c.end(id);
    return seq;
  }

  /** Names the member and the epoch the write with sequence {@code seq} was acknowledged at. */
  private void acknowledged(HttpExchange ex, long seq, RoleChange admittedAs) {
    ex.getResponseHeaders().set(MEMBER_HEADER, member);
    ex.getResponseHeaders()
        .set(EPOCH_HEADER, Long.toString(ackEpochs.epochOf(seq, admittedAs.epoch())));
  }

  private interface Call {
    /** @param role the role the request was admitted under (the serving primary) */
    void run(OuClient c, RoleChange role) throws IOException;
  }

  private static final boolean READ = false;
  private static final boolean WRITE = true;

  /**
   * Runs {@code call} when this member may serve it; otherwise, or when the sidecar refuses, 503 with the reason. A read
   * needs the serving primary (its lease valid, or its standby confirming it): a primary past that may have been
   * deposed, and its state may be stale. A write needs the primary only: its sidecar decides, and a Synchronous one
   * whose lease renewal is in flight holds the write for it rather than refuse it (LeaseRenewalHold), which is safe
   * for writes (each waits for the standby, which refuses a deposed primary) and not for reads.
   */
  private void withClient(HttpExchange ex, boolean write, Call call) throws IOException {
    OuClient c = sidecar.client();
    RoleChange role = sidecar.role();
    if (c == null || role == null) {
      unavailable(ex, "not connected to the sidecar yet: this member cannot serve");
      return;
    }
    if (role.role() != MemberRole.PRIMARY || !(write || role.serving())) {
      unavailable(ex, NotServing.because(role));
      return;
    }
    try {
      call.run(c, role);
    } catch (DegradedMode.Refused e) {
      unavailable(ex, e.getMessage());
    } catch (OuException e) {
      SidecarRefusal.Answer a = SidecarRefusal.of(e, sidecar.role());
      if (a.status() == 503) unavailable(ex, a.text());
      else respond(ex, a.status(), "text/plain", a.text() + "\n");
    }
  }

  private void unavailable(HttpExchange ex, String message) throws IOException {
    refused.incrementAndGet();
    ex.getResponseHeaders().set("Retry-After", "1");
    respond(ex, 503, "text/plain", message + "\n");
  }

  /** Ready when connected and playing a role: the serving primary, or a standby ready to take over. */
  private void ready(HttpExchange ex) throws IOException {
    try (ex) {
      RoleChange role = sidecar.role();
      if (sidecar.client() == null || role == null) {
        respond(ex, 503, "text/plain", "not connected to the sidecar yet\n");
        return;
      }
      try {
        sidecar.client().ping();
      } catch (OuException e) {
        respond(ex, 503, "text/plain", "the sidecar does not answer: " + e.getMessage() + "\n");
        return;
      }
      boolean ok = (role.role() == MemberRole.PRIMARY && role.serving())
          || role.role() == MemberRole.STANDBY;
      respond(
          ex,
          ok ? 200 : 503,
          "text/plain",
          (ok ? "ready: " + role.role() + " at epoch " + role.epoch() : NotServing.because(role))
              + "\n");
    }
  }

  private void status(HttpExchange ex) throws IOException {
    try (ex) {
      RoleChange role = sidecar.role();
      StringBuilder b = new StringBuilder("{");
      b.append("\"role\":")
          .append(Json.string(role == null ? "UNKNOWN" : role.role().name()));
      b.append(",\"epoch\":").append(role == null ? -1 : role.epoch());
      // a shared standby's app: the unit it serves since its takeover (absent when not pooled)
      if (role != null && role.unit() != null)
        b.append(",\"unit\":").append(Json.string(role.unit()));
      b.append(",\"serving\":")
          .append(role != null && role.role() == MemberRole.PRIMARY && role.serving());
      b.append(",\"mode\":").append(Json.string(String.valueOf(sidecar.mode())));
      b.append(',').append(DegradedMode.statusJson(role));
      b.append(",\"requests\":{\"writes\":")
          .append(writes.get())
          .append(",\"reads\":")
          .append(reads.get())
          .append(",\"refused\":")
          .append(refused.get())
          .append(",\"rejectedInFlight\":")
          .append(sidecar.rejectedInFlight())
          .append("},")
          .append(jobs.statusJson());
      try {
        SidecarStatus s = sidecar.status();
        b.append(",\"sidecar\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : s.fields().entrySet()) {
          if (e.getKey().startsWith("counter.")) continue;
          if (!first) b.append(',');
          first = false;
          b.append(Json.string(e.getKey())).append(':').append(Json.string(e.getValue()));
        }
        b.append('}');
      } catch (RuntimeException e) {
        b.append(",\"sidecar\":null,\"sidecarError\":")
            .append(Json.string(String.valueOf(e.getMessage())));
      }
      b.append("}\n");
      respond(ex, 200, "application/json", b.toString());
    }
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_VALUE_BYTES + 1);
      if (body.length > MAX_VALUE_BYTES) {
        respond(ex, 413, "text/plain", "a value has at most " + MAX_VALUE_BYTES + " bytes\n");
        return null;
      }
      return body;
    }
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    respond(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange ex, int code, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    sidecar.close();
    workers.shutdownNow();
  }
}
