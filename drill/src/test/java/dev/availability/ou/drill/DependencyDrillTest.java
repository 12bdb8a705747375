package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.DependencySpec;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Units that depend on units with real pods and the sample store (issue 20 item 4): the nodes of both members of the
 * unit {@code db} die; the store that depends on it, on other nodes, reports degraded on {@code /status} (polled over
 * its Service), serves reads and refuses writes meanwhile, and is normal again once db serves again. Asserted, by this
 * test's clock on what the store's {@code /status} says: degraded within db's recovery budget plus one second from the
 * kill (issue 20's bound). That needs db's operator to judge the loss of both members at once (their nodes' leases
 * stale together: {@code MembersSilence}, not the node controller's NotReady) and to date db's outage from when its
 * members were last heard (db's Ready=False is written with that time), and the store to hear of it within a second
 * of the moment it could be declared.
 */
@Tag("cluster")
class DependencyDrillTest {
  static final String DB = "db";
  static final Duration DB_RECOVERY = Duration.ofSeconds(5); // Drill.BUDGET 10s: half of it
  // How long a lease renewal may take to reach the operator (a watch event) on the loaded machine.
  static final Duration SEEN_WITHIN = Duration.ofSeconds(1);
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  static DrillCluster cluster;
  static DrillOperator operator;

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-deps-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
  }

  @Test
  void aDependencyLosingBothMembersDegradesTheDependentWithinItsBudgetPlusOneSecond()
      throws Exception {
    try (Drill d = new Drill(cluster, "deps")) {
      d.units.create(Units.sample(cluster.repo, DB, Drill.BUDGET));
      await("unit " + DB + " Protected")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> d.units.phase(DB) == UnitPhase.Protected
              && d.units.readyEndpointPods(DB).size() == 1);
      // The store depends on db and never shares a node with it: db's nodes die, the store's live.
      d.createProtected(u -> {
        u.getSpec().setDependsOn(List.of(new DependencySpec(DB, null)));
        u.getSpec()
            .getTemplate()
            .getSpec()
            .setAffinity(new AffinityBuilder()
                .withNewPodAntiAffinity()
                .withRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                    .withTopologyKey("kubernetes.io/hostname")
                    .withLabelSelector(new LabelSelectorBuilder()
                        .addToMatchLabels(ContractKeys.UNIT_LABEL, DB)
                        .build())
                    .build())
                .endPodAntiAffinity()
                .build());
      });
      String service = "http://" + cluster.serviceAddress(d.namespace, Drill.UNIT);
      await("the store normal")
          .atMost(Duration.ofSeconds(30))
          .until(() -> status(service).contains("\"degraded\":false"));
      assertThat(put(service, "before").statusCode()).isEqualTo(200);

      List<String> dbNodes =
          List.of(d.units.nodeOf(d.units.primary(DB)), d.units.nodeOf(d.units.standby(DB)));
      assertThat(dbNodes)
          .doesNotContain(
              d.units.nodeOf(d.units.primary(Drill.UNIT)),
              d.units.nodeOf(d.units.standby(Drill.UNIT)));
      // Both machines die together: the two kill commands run at once (one after the other, the
      // second node would live some 150 ms longer, and db's outage would be dated that much later).
      Instant killed = Instant.now();
      killTogether(dbNodes);
      Instant bothKilled = Instant.now();
      AtomicReference<Instant> degradedAt = new AtomicReference<>();
      try {
        await("the store degraded")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> {
              if (!status(service).contains("\"degraded\":true")) return false;
              degradedAt.set(Instant.now());
              return true;
            });
        long ms = Duration.between(killed, degradedAt.get()).toMillis();
        Progress.log("dependency drill: the store reported degraded " + ms
            + " ms after both of db's members were killed (db's recovery budget "
            + DB_RECOVERY.toMillis() + " ms; bound "
            + DB_RECOVERY.plusSeconds(1).toMillis()
            + " ms)");
        System.out.println("DEPENDENCY-DRILL degradedAfterMillis=" + ms);
        Progress.log("dependency drill: killed at " + killed + " (both by " + bothKilled + "); "
            + timeline(d));
        assertThat(Duration.ofMillis(ms))
            .as("the store degraded within db's recovery budget plus one second from the kill")
            .isLessThanOrEqualTo(DB_RECOVERY.plusSeconds(1));
        assertThat(status(service)).contains("\"unavailableDependencies\":[\"db\"]");
        assertThat(get(service + "/kv/before").statusCode()).as("reads served").isEqualTo(200);
        HttpResponse<String> refused = put(service, "during");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("degraded: dependency db is unavailable");
        // Where the time went: db's outage dated from when its members were last heard (its
        // Ready=False written with that time, by the kill at the latest), db's operator's judgement
        // (its members' node leases stale), and the store hearing of it once the outage has lasted
        // db's budget.
        await("the store's status written")
            .atMost(Duration.ofSeconds(10))
            .until(() -> Boolean.FALSE.equals(
                d.units.get(Drill.UNIT).getStatus().getDependencies().get(0).getAvailable()));
        Instant since = Instant.parse(
            d.units.get(Drill.UNIT).getStatus().getDependencies().get(0).getSince());
        var dbReady = readyCondition(d, DB);
        Instant dbUnready = Instant.parse(dbReady.getLastTransitionTime());
        Instant declarable =
            since.plus(DB_RECOVERY).isAfter(dbUnready) ? since.plus(DB_RECOVERY) : dbUnready;
        Instant dbJudged = Instant.parse(d.units.get(DB).getStatus().getConditions().stream()
            .filter(c -> "Degraded".equals(c.getType()))
            .findFirst()
            .orElseThrow()
            .getLastTransitionTime());
        long judgedMs = Duration.between(killed, dbJudged).toMillis();
        long outageDatedMs = Duration.between(killed, since).toMillis();
        long toldMs = Duration.between(declarable, degradedAt.get()).toMillis();
        Progress.log("dependency drill: db's outage dated " + outageDatedMs
            + " ms after the kill (its members last heard); db's operator judged it " + judgedMs
            + " ms after the kill; db's Ready: " + dbReady.getReason()
            + " (" + dbReady.getMessage() + "); the store degraded " + toldMs
            + " ms after it could be declared");
        System.out.println("DEPENDENCY-DRILL outageDatedMillis=" + outageDatedMs
            + " dbJudgedMillis=" + judgedMs
            + " toldAfterDeclarableMillis=" + toldMs);
        assertThat(dbReady.getReason())
            .as("db judged on its members' silence, before the node controller's NotReady")
            .isEqualTo("MembersUnreachable");
        assertThat(dbReady.getMessage())
            .contains("both unreachable: nodes " + dbNodes.get(0) + " and " + dbNodes.get(1));
        assertThat(Duration.between(dbUnready, since).abs())
            .as("the outage dated from db's Ready=False")
            .isLessThanOrEqualTo(Duration.ofMillis(1));
        // (dates by the operator's clock, when it saw each renewal arrive: a renewal the primary
        // sent
        // just before the kill is seen a watch's delay after it; CI saw 168 ms)
        assertThat(since)
            .as(
                "db's Ready=False dated when its members were last heard: by the kill at the latest,"
                    + " plus the delay in seeing a renewal sent before it")
            .isBeforeOrEqualTo(bothKilled.plus(SEEN_WITHIN));
        assertThat(toldMs)
            .as("the store degraded within a second of when db's outage could be declared")
            .isLessThanOrEqualTo(1000);
      } finally {
        for (String node : dbNodes) cluster.run("heal-node", node);
      }

      // Serving again as db's operator says it (Ready True), with a ready endpoint: healed before
      // the node controller's NotReady, db's old primary never left its endpoints.
      await("db serving again")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> "True".equals(readyCondition(d, DB).getStatus())
              && d.units.readyEndpointPods(DB).size() == 1);
      Instant dbBack = Instant.now();
      await("the store normal again")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> status(service).contains("\"degraded\":false"));
      long backMs = Duration.between(dbBack, Instant.now()).toMillis();
      Progress.log("dependency drill: normal again " + backMs + " ms after db had a ready primary");
      System.out.println("DEPENDENCY-DRILL normalAfterMillis=" + backMs);
      assertThat(put(service, "after").statusCode()).isEqualTo(200);
      // The reconcile tells the members before it records its events: the store may be normal a
      // moment before the event is written (seen in CI).
      await("the store's DependencyUnavailable and DependencyAvailable events")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(d.units.eventReasons(Drill.UNIT))
              .contains("DependencyUnavailable", "DependencyAvailable"));
    }
  }

  private static void killTogether(List<String> nodes) throws Exception {
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<String>> kills = nodes.stream()
          .map(node -> pool.submit(() -> cluster.run("kill-node", node)))
          .toList();
      for (var kill : kills) kill.get();
    }
  }

  private static io.fabric8.kubernetes.api.model.Condition readyCondition(Drill d, String unit) {
    return d.units.get(unit).getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("unit " + unit + " shows no Ready condition"));
  }

  /** Where the time went: the store's verdict on db (since, declared) and db's own Ready and failover times. */
  private static String timeline(Drill d) {
    var store = d.units.get(Drill.UNIT).getStatus();
    var db = d.units.get(DB).getStatus();
    StringBuilder b = new StringBuilder("store: ");
    store
        .getDependencies()
        .forEach(x -> b.append(x.getName())
            .append(" available=")
            .append(x.getAvailable())
            .append(" since=")
            .append(x.getSince())
            .append(" reason=")
            .append(x.getReason())
            .append("; "));
    store.getConditions().stream()
        .filter(c -> "DependenciesAvailable".equals(c.getType()))
        .forEach(c -> b.append("condition ")
            .append(c.getStatus())
            .append(" at ")
            .append(c.getLastTransitionTime())
            .append("; "));
    b.append("db: ");
    db.getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) || "Degraded".equals(c.getType()))
        .forEach(c -> b.append(c.getType())
            .append('=')
            .append(c.getStatus())
            .append(' ')
            .append(c.getReason())
            .append(" at ")
            .append(c.getLastTransitionTime())
            .append(" (")
            .append(c.getMessage())
            .append("); "));
    if (db.getFailover() != null)
      b.append("failover faultObservedAt=").append(db.getFailover().getFaultObservedAt());
    return b.toString();
  }

  private static String status(String service) {
    try {
      HttpResponse<String> r = get(service + "/status");
      return r.statusCode() == 200 ? r.body() : "";
    } catch (Exception e) {
      return "";
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(String service, String key) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(service + "/kv/" + key))
            .timeout(Duration.ofSeconds(10))
            .PUT(HttpRequest.BodyPublishers.ofString("v"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
