package dev.availability.ou.samples.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.MemberRole;
import dev.availability.ou.client.OuClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store against two real sidecars on loopback, each member's store talking to its own sidecar as in a
 * pod: only the primary serves, state written through the primary survives its loss, a promoted standby
 * serves it, a restarted former primary rejoins as standby, and in Journal mode every write is wrapped in
 * markers and requests left in flight by a failed primary are settled by the promoted one.
 */
class KvStoreTest {
  @TempDir
  Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> open = new ArrayList<>();

  record Reply(int code, String body) {}

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) c.close();
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  private KvStore store(Sidecar sidecar) throws IOException {
    return keep(new KvStore(
            new InetSocketAddress(sidecar.host, 0),
            new KvStore.SidecarLinkSettings(
                sidecar.apiAddress(), Duration.ofSeconds(10), Duration.ofSeconds(2)),
            "member-" + sidecar.name)
        .start());
  }

  private Reply call(
      Sidecar at, KvStore store, String method, String path, String body, String... headers)
      throws Exception {
    HttpResponse<String> r = exchange(at, store, method, path, body, headers);
    return new Reply(r.statusCode(), r.body());
  }

  private HttpResponse<String> exchange(
      Sidecar at, KvStore store, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create("http://" + at.host + ":" + store.port() + path))
        .timeout(Duration.ofSeconds(20))
        .method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The OU-Member and OU-Epoch headers of an answer, as "member@epoch" (null for an absent header). */
  private static String ackedBy(HttpResponse<String> r) {
    return r.headers().firstValue(KvStore.MEMBER_HEADER).orElse(null) + "@"
        + r.headers().firstValue(KvStore.EPOCH_HEADER).orElse(null);
  }

  /** A primary and a standby sidecar at epoch 1 in the given mode. */
  private Sidecar[] pair(String mode) throws Exception {
    String net = Sidecar.freshNet();
    Path key = Sidecar.newKey(tmp);
    Sidecar a = keep(new Sidecar("a", net + "1", tmp, key).with("OU_MODE", mode));
    Sidecar b = keep(new Sidecar("b", net + "2", tmp, key).with("OU_MODE", mode));
    b.with("OU_ROLE", "Standby").with("OU_EPOCH", "1").start();
    a.with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_PEER_ENDPOINT", b.replicationEndpoint())
        .start();
    await("standby " + b.name + " in sync")
        .atMost(Duration.ofSeconds(30))
        .until(() -> b.status().inSync() || a.status().inSync());
    return new Sidecar[] {a, b};
  }

  @Test
  void onlyThePrimaryServesAndItsStateSurvivesAFailover() throws Exception {
    Sidecar[] s = pair("Synchronous");
    Sidecar a = s[0];
    Sidecar b = s[1];
    KvStore storeA = store(a);
    KvStore storeB = store(b);
    await("both members ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(a, storeA, "GET", "/ready", null).code() == 200
            && call(b, storeB, "GET", "/ready", null).code() == 200);
    assertThat(call(a, storeA, "GET", "/healthz", null).code()).isEqualTo(200);

    Reply put = call(a, storeA, "PUT", "/kv/greeting", "hello");
    assertThat(put.code()).as(put.body()).isEqualTo(200);
    assertThat(put.body()).contains("\"key\":\"greeting\"", "\"seq\":");
    assertThat(call(a, storeA, "PUT", "/kv/orders%2F17", "paid").code()).isEqualTo(200);
    assertThat(call(a, storeA, "GET", "/kv/greeting", null)).isEqualTo(new Reply(200, "hello"));
    assertThat(call(a, storeA, "GET", "/kv/orders%2F17", null)).isEqualTo(new Reply(200, "paid"));
    assertThat(call(a, storeA, "GET", "/kv/absent", null).code()).isEqualTo(404);
    assertThat(call(a, storeA, "GET", "/kv", null).body())
        .contains("\"greeting\":\"hello\"", "\"orders/17\":\"paid\"");
    assertThat(call(a, storeA, "DELETE", "/kv/orders%2F17", null).code()).isEqualTo(200);
    assertThat(call(a, storeA, "GET", "/kv/orders%2F17", null).code()).isEqualTo(404);
    assertThat(call(a, storeA, "GET", "/status", null).body())
        .contains("\"role\":\"PRIMARY\"", "\"serving\":true", "\"mode\":\"Synchronous\"");

    Reply onStandby = call(b, storeB, "GET", "/kv/greeting", null);
    assertThat(onStandby.code()).isEqualTo(503);
    assertThat(onStandby.body()).contains("standby");
    assertThat(call(b, storeB, "PUT", "/kv/x", "y").code()).isEqualTo(503);
    // The store keeps nothing itself: what the primary acknowledged is already held by the
    // standby's sidecar.
    try (OuClient direct = b.client()) {
      assertThat(direct.get("greeting"))
          .hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("hello"));
    }

    // The primary's pod dies (its sidecar with it); the standby is promoted at epoch 2.
    a.kill();
    Reply lost = call(a, storeA, "PUT", "/kv/late", "x");
    assertThat(lost.code()).isEqualTo(503);
    assertThat(call(a, storeA, "GET", "/ready", null).code()).isEqualTo(503);
    b.assign(MemberRole.PRIMARY, 2, null, null);
    await("promoted member serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> call(b, storeB, "GET", "/kv/greeting", null).code() == 200);
    assertThat(call(b, storeB, "GET", "/kv/greeting", null).body()).isEqualTo("hello");
    assertThat(call(b, storeB, "GET", "/status", null).body())
        .contains("\"role\":\"PRIMARY\"", "\"epoch\":2");

    // The former primary comes back with its volume and rejoins as the standby: writes are
    // acknowledged again.
    a.with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "2")
        .with("OU_PEER_ENDPOINT", "")
        .start();
    b.assign(MemberRole.PRIMARY, 2, a, null);
    await("writes acknowledged with the rejoined standby")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(b, storeB, "PUT", "/kv/after", "failover").code() == 200);
    await("the former primary's store follows its sidecar's role")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(a, storeA, "GET", "/ready", null).code() == 200);
    Reply refused = call(a, storeA, "GET", "/kv/after", null);
    assertThat(refused.code()).isEqualTo(503);
    assertThat(refused.body()).contains("standby", "epoch 2");
    try (OuClient direct = a.client()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> direct.get("after").isPresent());
    }
  }

  @Test
  void everyAcknowledgedWriteNamesTheMemberAndTheEpochThatAcknowledgedIt() throws Exception {
    Sidecar[] s = pair("Synchronous");
    Sidecar a = s[0];
    Sidecar b = s[1];
    KvStore storeA = store(a);
    KvStore storeB = store(b);
    await("both members ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(a, storeA, "GET", "/ready", null).code() == 200
            && call(b, storeB, "GET", "/ready", null).code() == 200);

    HttpResponse<String> put = exchange(a, storeA, "PUT", "/kv/k", "v1");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(ackedBy(put)).isEqualTo("member-a@1");
    HttpResponse<String> delete = exchange(a, storeA, "DELETE", "/kv/k", null);
    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(ackedBy(delete)).isEqualTo("member-a@1");
    // Only acknowledged writes carry them: not reads, not refusals.
    assertThat(ackedBy(exchange(a, storeA, "GET", "/kv/k", null))).isEqualTo("null@null");
    HttpResponse<String> refused = exchange(b, storeB, "PUT", "/kv/k", "on the standby");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(ackedBy(refused)).isEqualTo("null@null");

    a.kill();
    b.assign(
        MemberRole.PRIMARY,
        2,
        null,
        "Asynchronous"); // alone: Asynchronous acknowledges without a standby
    await("promoted member serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> call(b, storeB, "PUT", "/kv/k", "v2").code() == 200);
    HttpResponse<String> promoted = exchange(b, storeB, "PUT", "/kv/k", "v3");
    assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
    assertThat(ackedBy(promoted)).isEqualTo("member-b@2");
  }

  @Test
  void journalModeMarksEveryWriteAndSettlesWhatAFailedPrimaryLeftInFlight() throws Exception {
    Sidecar[] s = pair("Journal");
    Sidecar a = s[0];
    Sidecar b = s[1];
    KvStore storeA = store(a);
    KvStore storeB = store(b);
    await("primary ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(a, storeA, "GET", "/ready", null).code() == 200);
    await("journal mode known")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> call(a, storeA, "GET", "/status", null).body().contains("\"mode\":\"Journal\""));

    long before = a.status().lastSeq();
    assertThat(call(a, storeA, "PUT", "/kv/k1", "v1", "X-Request-Id", "req-1").code())
        .isEqualTo(200);
    assertThat(a.status().lastSeq()).as("BEGIN, PUT, END").isEqualTo(before + 3);
    try (OuClient direct = a.client()) {
      assertThat(direct.inFlight()).isEmpty();
      // A request the primary began and never finished: it dies with it.
      direct.begin("req-2");
    }
    await("the standby holds the BEGIN of req-2").atMost(Duration.ofSeconds(10)).until(() -> {
      try (OuClient direct = b.client()) {
        return direct.inFlight().stream().anyMatch(x -> x.id().equals("req-2"));
      }
    });
    a.kill();
    b.assign(MemberRole.PRIMARY, 2, null, null);
    await("the promoted store settled req-2")
        .atMost(Duration.ofSeconds(20))
        .until(() ->
            call(b, storeB, "GET", "/status", null).body().contains("\"rejectedInFlight\":1"));
    try (OuClient direct = b.client()) {
      assertThat(direct.inFlight()).isEmpty();
      assertThat(direct.get("k1"))
          .hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("v1"));
    }
  }

  /**
   * Jobs after a failover: the promoted store reprocesses a job the failed primary left unfinished, and tells the user
   * of a quarantined one that it was ignored (settling it) instead of reprocessing it; the poison hook crashes a store
   * that processes a poison job.
   */
  @Test
  void aPromotedStoreReprocessesJobsAndIgnoresAQuarantinedOne() throws Exception {
    Sidecar[] s = pair("Journal");
    Sidecar a = s[0];
    Sidecar b = s[1];
    java.util.concurrent.atomic.AtomicInteger crashes =
        new java.util.concurrent.atomic.AtomicInteger();
    Jobs poisonable = new Jobs(true, () -> {
      crashes.incrementAndGet();
      throw new IllegalStateException("the poison hook: the application exits here");
    });
    KvStore storeA = keep(new KvStore(
            new InetSocketAddress(a.host, 0),
            new KvStore.SidecarLinkSettings(
                a.apiAddress(), Duration.ofSeconds(10), Duration.ofSeconds(2)),
            "member-a",
            poisonable)
        .start());
    KvStore storeB = store(b);
    await("primary ready, journal mode known")
        .atMost(Duration.ofSeconds(30))
        .until(() -> call(a, storeA, "GET", "/ready", null).code() == 200
            && call(a, storeA, "GET", "/status", null).body().contains("\"mode\":\"Journal\""));
    assertThat(call(a, storeA, "POST", "/jobs/j-1", "three little words", new String[0])
            .body())
        .contains("\"state\":\"done\",\"words\":3");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> call(a, storeA, "POST", "/jobs/j-2", "a poison pill", new String[0]))
        .as("the poison's user gets no answer")
        .isInstanceOf(IOException.class);
    assertThat(crashes.get()).as("the hook crashed the store processing it").isEqualTo(1);
    try (OuClient direct = a.client()) {
      // Another job the primary was processing when it died: its input and BEGIN are replicated.
      direct.begin("job-j-3");
      direct.put("jobs/j-3", "two words".getBytes());
    }
    await("the standby holds both jobs' BEGIN").atMost(Duration.ofSeconds(10)).until(() -> {
      try (OuClient direct = b.client()) {
        return direct.inFlight().size() == 2;
      }
    });
    a.kill();
    b.assign(MemberRole.PRIMARY, 2, null, null, List.of("job-j-2"));

    await("the promoted store settled both").atMost(Duration.ofSeconds(30)).until(() -> {
      try (OuClient direct = b.client()) {
        return direct.inFlight().isEmpty();
      }
    });
    assertThat(call(b, storeB, "GET", "/jobs/j-2", null).body())
        .as("the poison's user is told it was ignored")
        .contains("\"state\":\"ignored\"", "quarantined");
    assertThat(call(b, storeB, "GET", "/jobs/j-3", null).body())
        .as("reprocessed")
        .contains("\"state\":\"done\",\"words\":2");
    assertThat(call(b, storeB, "GET", "/jobs/j-1", null).body()).contains("\"words\":3");
    assertThat(call(b, storeB, "GET", "/status", null).body())
        .contains("\"reprocessed\":1", "\"ignoredQuarantined\":1");
  }

  @Test
  void waitsForItsSidecarAndSaysWhyItCannotServe() throws Exception {
    String net = Sidecar.freshNet();
    Sidecar late = keep(new Sidecar("late", net + "1", tmp, Sidecar.newKey(tmp)));
    KvStore store = store(late);
    Reply before = call(late, store, "GET", "/kv/x", null);
    assertThat(before.code()).isEqualTo(503);
    assertThat(before.body()).contains("not connected to the sidecar");
    assertThat(call(late, store, "GET", "/ready", null).code()).isEqualTo(503);
    assertThat(call(late, store, "GET", "/healthz", null).code()).isEqualTo(200);

    late.start(); // no role yet
    await("connected, unassigned")
        .atMost(Duration.ofSeconds(20))
        .until(() -> call(late, store, "GET", "/kv/x", null).body().contains("no role yet"));
    late.assign(MemberRole.PRIMARY, 1, null, "Asynchronous");
    await("serving")
        .atMost(Duration.ofSeconds(20))
        .until(() -> call(late, store, "PUT", "/kv/x", "1").code() == 200);
    assertThat(call(late, store, "GET", "/nothing", null).code()).isEqualTo(404);
    assertThat(call(late, store, "POST", "/kv", "x").code()).isEqualTo(405);
  }

  @Test
  void whileADependencyIsUnavailableItServesReadsAndRefusesWritesSayingWhy() throws Exception {
    Sidecar one = keep(new Sidecar("one", Sidecar.freshNet() + "1", tmp, Sidecar.newKey(tmp)));
    KvStore store = store(one);
    one.start();
    one.assign(MemberRole.PRIMARY, 1, null, "Asynchronous");
    await("serving")
        .atMost(Duration.ofSeconds(20))
        .until(() -> call(one, store, "PUT", "/kv/k", "v").code() == 200);
    assertThat(call(one, store, "GET", "/status", null).body())
        .contains("\"degraded\":false", "\"unavailableDependencies\":[]");

    // The operator's assignment says unit db is unavailable (as standalone ASSIGN carries it).
    try (OuClient c = one.client()) {
      c.assign(MemberRole.PRIMARY, 1, null, null, List.of(), List.of("db"));
    }
    await("degraded")
        .atMost(Duration.ofSeconds(5))
        .until(() -> call(one, store, "GET", "/status", null).body().contains("\"degraded\":true"));
    assertThat(call(one, store, "GET", "/status", null).body())
        .contains("\"unavailableDependencies\":[\"db\"]");
    assertThat(call(one, store, "GET", "/kv/k", null)).isEqualTo(new Reply(200, "v"));
    Reply refused = call(one, store, "PUT", "/kv/k", "w");
    assertThat(refused.code()).isEqualTo(503);
    assertThat(refused.body())
        .contains("degraded: dependency db is unavailable", "reads are served");
    assertThat(call(one, store, "DELETE", "/kv/k", null).code()).isEqualTo(503);
    assertThat(call(one, store, "POST", "/jobs/j-1", "a b").code()).isEqualTo(503);
    assertThat(call(one, store, "GET", "/kv/k", null)).isEqualTo(new Reply(200, "v"));

    try (OuClient c = one.client()) {
      c.assign(MemberRole.PRIMARY, 1, null, null, List.of(), List.of());
    }
    await("normal again")
        .atMost(Duration.ofSeconds(5))
        .until(() -> call(one, store, "PUT", "/kv/k", "w").code() == 200);
    assertThat(call(one, store, "GET", "/status", null).body()).contains("\"degraded\":false");
  }
}
