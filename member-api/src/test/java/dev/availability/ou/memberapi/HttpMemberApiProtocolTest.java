package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire protocol of {@link HttpMemberApi} against a scripted HTTP server, for what a real API server does
 * not do on demand: a watch that ends with 410 Gone (as an event and as a status), a 500 in between, a 401
 * that a new token in the file cures. The behaviour against the real API server, with a ServiceAccount token
 * and TLS, is KubernetesControlClusterTest's (sidecar module, -Pe2e).
 */
class HttpMemberApiProtocolTest {
  @TempDir
  Path dir;

  HttpServer server;
  final Deque<Object[]> script =
      new ArrayDeque<>(); // {path prefix, status, body lines..., "HOLD" to keep open}
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);
  Path token;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
    token = Files.writeString(dir.resolve("token"), "first-token\n");
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  HttpMemberApi api() {
    return new HttpMemberApi(
        ApiServerAccess.resolve(
                "http://127.0.0.1:" + server.getAddress().getPort(),
                token.toString(),
                null,
                Map.of())
            .withTokenReread(Duration.ofHours(1)),
        "shop");
  }

  void handle(HttpExchange ex) throws IOException {
    String request = ex.getRequestMethod() + " "
        + URLDecoder.decode(ex.getRequestURI().toString(), StandardCharsets.UTF_8);
    requests.add(request);
    authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    Object[] step;
    synchronized (script) {
      step = script.peekFirst() != null && request.startsWith((String) script.peekFirst()[0])
          ? script.pollFirst()
          : null;
    }
    if (step == null) {
      byte[] b = "{\"kind\":\"Status\",\"code\":599,\"message\":\"unscripted request\"}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(599, b.length);
      ex.getResponseBody().write(b);
      ex.close();
      return;
    }
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders((Integer) step[1], 0); // chunked
    OutputStream out = ex.getResponseBody();
    for (int i = 2; i < step.length; i++) {
      if ("HOLD".equals(step[i])) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        break;
      }
      out.write((step[i] + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    ex.close();
  }

  void expect(String request, int status, String... lines) {
    Object[] step = new Object[2 + lines.length];
    step[0] = request;
    step[1] = status;
    System.arraycopy(lines, 0, step, 2, lines.length);
    synchronized (script) {
      script.add(step);
    }
  }

  static String pod(long epoch, String rv) {
    return "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\",\"resourceVersion\":\"" + rv
        + "\",\"labels\":{\"ou.availability.dev/unit\":\"web\"},"
        + "\"annotations\":{\"ou.availability.dev/assignment\":"
        + Json.write(
            ContractJson.toJson(new Assignment(Role.Primary, epoch, "web-1", "Synchronous")))
        + "}}}";
  }

  static String list(String rv, String... pods) {
    return "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"" + rv + "\"},\"items\":["
        + String.join(",", pods) + "]}";
  }

  static String event(String type, String object) {
    return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
  }

  static final String GONE =
      "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"too old resource version: 11 (15)\",\"reason\":\"Expired\",\"code\":410}";
  static final String LIST = "GET /api/v1/namespaces/shop/pods?fieldSelector=metadata.name=web-0";
  static final String WATCH =
      "GET /api/v1/namespaces/shop/pods?watch=true&allowWatchBookmarks=true&fieldSelector=metadata.name=web-0&resourceVersion=";

  @Test
  void theWatchResumesFromItsResourceVersionAndListsAgainOn410() throws Exception {
    expect(LIST, 200, list("10", pod(1, "9")));
    expect(
        WATCH + "10&",
        200,
        event("MODIFIED", pod(2, "11"))); // then the server ends it (as timeoutSeconds does)
    expect(WATCH + "11&", 200, event("ERROR", GONE)); // 410 as an event
    expect(LIST, 200, list("20", pod(3, "19")));
    expect(WATCH + "20&", 410, GONE); // 410 as the status
    expect(LIST, 200, list("21", pod(3, "19")));
    expect(
        WATCH + "21&", 500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd is sulking\"}");
    expect(
        WATCH + "21&",
        200,
        event("BOOKMARK", "{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"25\"}}"),
        event("MODIFIED", pod(4, "26")),
        "HOLD");

    try (HttpMemberApi api = api()) {
      MemberChannel channel = new MemberChannel(api, "web-0", Clock.systemUTC());
      List<Long> epochs = new CopyOnWriteArrayList<>();
      List<String> trouble = new CopyOnWriteArrayList<>();
      channel.onAssignment(a -> epochs.add(a.epoch()), trouble::add);
      // The first list is delivered before onAssignment returns; the watch thread may already have
      // added more.
      assertThat(List.copyOf(epochs)).isNotEmpty().first().isEqualTo(1L);
      assertThat(channel.unit()).isEqualTo("web");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (epochs.size() < 4 && System.nanoTime() < deadline) Thread.sleep(20);
      assertThat(epochs).containsExactly(1L, 2L, 3L, 4L);
      assertThat(api.relists()).isEqualTo(2);
      assertThat(trouble).hasSize(1);
      assertThat(trouble.getFirst())
          .contains("watch pod web-0", "500 from the API server", "etcd is sulking", "retrying in");
      assertThat(authorizations).allMatch("Bearer first-token"::equals);
      assertThat(requests.getLast()).contains("timeoutSeconds=");
      channel.close();
    }
    assertThat(script).isEmpty();
  }

  /**
   * A member starting while the API server does not answer or fails is not ended by its first list: it asks again
   * (seen: a cold sidecar's first call past its 1 s limit on a loaded machine, a crash loop of minutes). A refusal
   * still ends it at once (the next test).
   */
  @Test
  void theFirstListIsAskedAgainWhileTheServerFails() throws Exception {
    expect(LIST, 503, "{\"kind\":\"Status\",\"code\":503,\"message\":\"starting\"}");
    expect(LIST, 500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd is sulking\"}");
    expect(LIST, 200, list("10", pod(1, "9")));
    expect(WATCH + "10&", 200, "HOLD");
    try (HttpMemberApi api = api()) {
      MemberChannel channel = new MemberChannel(api, "web-0", Clock.systemUTC());
      List<Long> epochs = new CopyOnWriteArrayList<>();
      List<String> trouble = new CopyOnWriteArrayList<>();
      channel.onAssignment(a -> epochs.add(a.epoch()), trouble::add);
      assertThat(List.copyOf(epochs)).as("the pod as the third list saw it").containsExactly(1L);
      assertThat(trouble).hasSize(2);
      assertThat(trouble.getFirst()).contains("list pod web-0", "503", "retrying in 200 ms");
      assertThat(trouble.getLast())
          .contains("list pod web-0", "etcd is sulking", "retrying in 400 ms");
      channel.close();
    }
  }

  @Test
  void aRefusedFirstListIsThrownAtOnce() {
    expect(LIST, 403, "{\"kind\":\"Status\",\"code\":403,\"message\":\"forbidden\"}");
    try (HttpMemberApi api = api()) {
      MemberChannel channel = new MemberChannel(api, "web-0", Clock.systemUTC());
      long start = System.nanoTime();
      assertThatThrownBy(() -> channel.onAssignment(a -> {}, t -> {}))
          .isInstanceOfSatisfying(
              MemberApiException.class, e -> assertThat(e.status()).isEqualTo(403));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aWatchInBackoffResumesAsSoonAsTheApiServerAnswersAnotherCall() throws Exception {
    String unavailable = "{\"kind\":\"Status\",\"code\":503,\"message\":\"etcd is not ready\"}";
    expect(LIST, 200, list("10", pod(1, "9")));
    for (int i = 0; i < 5; i++)
      expect(WATCH + "10&", 503, unavailable); // backoffs 0.2, 0.4, 0.8, 1.6, then 3.2 s
    expect("GET /api/v1/namespaces/shop/pods/web-1", 200, pod(1, "9").replace("web-0", "web-1"));
    expect(WATCH + "10&", 200, event("MODIFIED", pod(2, "11")), "HOLD");

    try (HttpMemberApi api = api()) {
      List<String> trouble = new CopyOnWriteArrayList<>();
      List<Long> epochs = new CopyOnWriteArrayList<>();
      try (AutoCloseable w = api.watchPod(
          "web-0",
          p -> epochs.add(
              ContractJson.assignment(p.annotations().get(ContractKeys.ASSIGNMENT_ANNOTATION))
                  .epoch()),
          trouble::add)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (trouble.size() < 5 && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(trouble).hasSize(5);
        assertThat(trouble.getLast()).contains("503 from the API server", "retrying in 3200 ms");
        long answeredAt = System.nanoTime();
        api.getPod("web-1"); // the server is back: say, the Lease renewal went through
        while (epochs.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
        long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
        assertThat(epochs).containsExactly(1L, 2L);
        assertThat(resumedMillis)
            .as(
                "the watch resumed %s ms after the server answered, not after its 3.2 s backoff",
                resumedMillis)
            .isLessThan(3200);
      }
    }
    assertThat(script).isEmpty();
  }

  @Test
  void aRenewalPutsTheLeaseAsReadWithAMicroTimeAndConflictsAreReported() {
    String lease =
        "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"web-primary\",\"resourceVersion\":\"7\","
            + "\"annotations\":{\"ou.availability.dev/epoch\":\"3\"}},\"spec\":{\"holderIdentity\":\"web-0\",\"leaseDurationSeconds\":10}}";
    expect("GET /apis/coordination.k8s.io/v1/namespaces/shop/leases/web-primary", 200, lease);
    expect(
        "PUT /apis/coordination.k8s.io/v1/namespaces/shop/leases/web-primary",
        200,
        lease.replace("\"7\"", "\"8\""));
    expect(
        "PUT /apis/coordination.k8s.io/v1/namespaces/shop/leases/web-primary",
        409,
        "{\"kind\":\"Status\",\"code\":409,\"message\":\"Operation cannot be fulfilled on leases.coordination.k8s.io \\\"web-primary\\\": the object has been modified\"}");
    try (HttpMemberApi api = api()) {
      MemberApi.LeaseState read = api.getLease("web-primary");
      assertThat(read.holderIdentity()).isEqualTo("web-0");
      assertThat(read.leaseDurationSeconds()).isEqualTo(10);
      assertThat(read.annotations()).containsEntry(ContractKeys.LEASE_EPOCH_ANNOTATION, "3");
      MemberApi.LeaseState written =
          api.renewLease(read, Instant.parse("2026-01-02T03:04:05.123456789Z"));
      assertThat(written.resourceVersion()).isEqualTo("8");
      Map<String, Object> put = Json.map(Json.parse(bodies.getLast()));
      assertThat(Json.map(put.get("spec")))
          .containsEntry("renewTime", "2026-01-02T03:04:05.123456Z")
          .containsEntry("holderIdentity", "web-0")
          .containsEntry("leaseDurationSeconds", 10L);
      assertThat(Json.map(put.get("metadata"))).containsEntry("resourceVersion", "7"); // optimistic
      assertThat(put)
          .containsEntry("apiVersion", "coordination.k8s.io/v1")
          .containsEntry("kind", "Lease");
      assertThatThrownBy(() -> api.renewLease(read, Instant.now()))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.isConflict()).isTrue();
            assertThat(e.getMessage())
                .contains(
                    "update lease web-primary in namespace shop failed: 409 Conflict",
                    "the object has been modified");
          });
    }
  }

  @Test
  void aFirstRenewalIsOneConditionalPatchAndARefusedOneWritesNothing() {
    String lease =
        "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"web-primary\",\"resourceVersion\":\"9\","
            + "\"annotations\":{\"ou.availability.dev/epoch\":\"3\"}},\"spec\":{\"holderIdentity\":\"web-0\",\"leaseDurationSeconds\":10}}";
    String path = "PATCH /apis/coordination.k8s.io/v1/namespaces/shop/leases/web-primary";
    expect(path, 200, lease);
    expect(
        path,
        422,
        "{\"kind\":\"Status\",\"code\":422,\"message\":\"the server rejected our request due to an error in our request\"}");
    try (HttpMemberApi api = api()) {
      MemberApi.LeaseState renewed = api.renewLeaseHeldBy(
          "web-primary", "web-0", 3, Instant.parse("2026-01-02T03:04:05.123456789Z"));
      assertThat(renewed.resourceVersion()).isEqualTo("9");
      assertThat(requests).containsExactly(path);
      assertThat(Json.parse(bodies.getLast()))
          .isEqualTo(
              Json.parse(
                  "[{\"op\":\"test\",\"path\":\"/spec/holderIdentity\",\"value\":\"web-0\"},"
                      + "{\"op\":\"test\",\"path\":\"/metadata/annotations/ou.availability.dev~1epoch\",\"value\":\"3\"},"
                      + "{\"op\":\"add\",\"path\":\"/spec/renewTime\",\"value\":\"2026-01-02T03:04:05.123456Z\"}]"));
      assertThat(api.renewLeaseHeldBy("web-primary", "web-1", 3, Instant.now()))
          .as("a test that fails (another holder) renews nothing")
          .isNull();
    }
  }

  @Test
  void a401ReadsTheTokenFileAgainAndOtherStatusesAreNamed() throws IOException {
    expect(
        "GET /api/v1/namespaces/shop/pods/web-1",
        401,
        "{\"kind\":\"Status\",\"code\":401,\"message\":\"Unauthorized\"}");
    expect("GET /api/v1/namespaces/shop/pods/web-1", 200, pod(5, "30").replace("web-0", "web-1"));
    expect(
        "GET /api/v1/namespaces/shop/pods/web-2",
        404,
        "{\"kind\":\"Status\",\"code\":404,\"message\":\"pods \\\"web-2\\\" not found\"}");
    expect("PATCH /api/v1/namespaces/shop/pods/web-0", 503, "upstream connect error");
    expect(
        "GET /apis/coordination.k8s.io/v1/namespaces/shop/leases/other",
        403,
        "{\"kind\":\"Status\",\"code\":403,\"message\":\"leases.coordination.k8s.io \\\"other\\\" is forbidden\"}");
    expect(
        "GET /api/v1/namespaces/shop/pods/web-3",
        401,
        "{\"kind\":\"Status\",\"code\":401,\"message\":\"Unauthorized\"}");
    try (HttpMemberApi api = api()) {
      Files.writeString(
          token,
          "second-token"); // the kubelet rotated it; the client would re-read it only in an hour
      assertThat(api.getPod("web-1").annotations()).containsKey(ContractKeys.ASSIGNMENT_ANNOTATION);
      assertThat(authorizations).containsExactly("Bearer first-token", "Bearer second-token");
      assertThat(api.getPod("web-2")).isNull();
      assertThatThrownBy(() -> api.mergePatchPod("web-0", "{}"))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage())
                .isEqualTo(
                    "patch pod web-0 in namespace shop failed: 503 from the API server (server error); the server said: upstream connect error");
          });
      assertThatThrownBy(() -> api.getLease("other"))
          .isInstanceOfSatisfying(
              MemberApiException.class,
              e -> assertThat(e.getMessage())
                  .contains(
                      "403 Forbidden: the ServiceAccount lacks the permission", "is forbidden"));
      assertThatThrownBy(() -> api.getPod("web-3"))
          .isInstanceOfSatisfying(
              MemberApiException.class,
              e -> assertThat(e.getMessage())
                  .contains("401 Unauthorized", token.toString(), "expired or revoked"));
      assertThat(requests)
          .hasSize(6); // the second 401 was not retried: the file still held the same token
    }
  }

  @Test
  void unreachableAndMisconfiguredAreNamed() {
    assertThatThrownBy(() -> ApiServerAccess.resolve(null, null, null, Map.of()))
        .hasMessageContaining("KUBERNETES_SERVICE_HOST")
        .hasMessageContaining("OU_API_SERVER");
    ApiServerAccess inCluster = ApiServerAccess.resolve(
        null,
        null,
        null,
        Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "443"));
    assertThat(inCluster.server().toString()).isEqualTo("https://[fd00::1]:443");
    assertThat(inCluster.tokenFile())
        .isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
    assertThat(inCluster.caFile())
        .isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"));
    assertThatThrownBy(() -> new HttpMemberApi(
            ApiServerAccess.resolve(
                "127.0.0.1:6443", null, dir.resolve("none.crt").toString(), Map.of()),
            "shop"))
        .hasMessageContaining(
            "cannot read the cluster CA certificate from " + dir.resolve("none.crt"));
    server.stop(0);
    try (HttpMemberApi api = api()) {
      assertThatThrownBy(() -> api.getPod("web-0"))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.status()).isZero();
            assertThat(e.getMessage())
                .contains(
                    "get pod web-0 in namespace shop failed: cannot reach the API server at http://127.0.0.1:");
          });
    }
  }
}
