package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.api.UnitPhase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fencing with the real sidecar and the sample app as pods: a fenced member refuses a client's write sent straight to
 * it (its sidecar took the Fenced assignment and told its application so), reports itself fenced and not serving,
 * while the unit serves through the Service from the member that took over; unfenced, it serves again.
 */
@Tag("cluster")
class FencingDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-fencing-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
  }

  @Test
  void aFencedPrimaryRefusesWritesSentStraightToItWhileTheUnitServesFromTheStandby()
      throws Exception {
    // Preferred: the new primary acknowledges alone while its standby (the fenced member) is out;
    // with Required it would acknowledge nothing until a standby is back.
    try (Drill d =
        new Drill(cluster, "fence").durability(dev.availability.ou.api.DataDurability.Preferred)) {
      d.createProtected();
      String primary = d.primary();
      String standby = d.units.standby(Drill.UNIT);
      HttpResponse<String> before = put(d, primary, "before-fence");
      assertThat(before.statusCode())
          .as("a write straight to the primary: %s", before.body())
          .isEqualTo(200);

      fence(d, primary);

      await("failed over to " + standby)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> standby.equals(d.primary())
              && d.units.endpointPods(Drill.UNIT).equals(Set.of(standby)));
      await(primary + "'s sidecar fenced")
          .atMost(Duration.ofSeconds(30))
          .until(() -> is(d, primary, "role", "FENCED"));
      HttpResponse<String> refused = put(d, primary, "to-the-fenced-member");
      assertThat(refused.statusCode())
          .as("a write straight to the fenced member: %s", refused.body())
          .isEqualTo(503);
      assertThat(refused.body()).contains("fenced");
      assertThat(status(d, primary)).containsEntry("serving", false);
      // (its sidecar's readiness fails at once; the kubelet's probe sees it within its period and
      // threshold)
      await("the fenced member not ready")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !podReady(d, primary));
      HttpResponse<String> after = put(d, standby, "after-fence");
      assertThat(after.statusCode())
          .as("the new primary serves: %s", after.body())
          .isEqualTo(200);
      assertThat(d.units.memberPods(Drill.UNIT)).as("the fenced member is kept").contains(primary);

      fence(d, null);
      await("the former primary rejoins as standby")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> d.units.phase(Drill.UNIT) == UnitPhase.Protected
              && is(d, primary, "role", "STANDBY")
              && is(d, primary, "inSync", true));
    }
  }

  /** Both members fenced: no serving primary at all; unfenced, the former primary's real sidecar serves again at a new epoch. */
  @Test
  void aFencedPrimaryWithNoStandbyToTakeOverServesAgainOnceUnfenced() throws Exception {
    try (Drill d = new Drill(cluster, "fence-hold")) {
      d.createProtected();
      String primary = d.primary();
      String standby = d.units.standby(Drill.UNIT);
      fence(d, standby);
      await("standby fenced")
          .atMost(Duration.ofSeconds(60))
          .until(() -> is(d, standby, "role", "FENCED"));

      fence(d, standby + "," + primary);

      await("no serving primary")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> d.units.phase(Drill.UNIT) == UnitPhase.Degraded
              && is(d, primary, "role", "FENCED")
              && d.units.endpointPods(Drill.UNIT).isEmpty());
      assertThat(put(d, primary, "while-held").statusCode()).isEqualTo(503);
      assertThat(d.units.get(Drill.UNIT).getStatus().getEpoch()).isEqualTo(2L);

      fence(d, null);
      await("the unfenced primary serves again at epoch 2, protected")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> d.units.phase(Drill.UNIT) == UnitPhase.Protected
              && d.units.endpointPods(Drill.UNIT).equals(Set.of(primary)));
      // Serving is a moment's state: a confirmed primary whose renewal is in flight holds writes
      // and
      // says it does not serve until the answer (LeaseRenewalHold), as CI saw right after the
      // unfence.
      await("the unfenced primary serving")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> Boolean.TRUE.equals(status(d, primary).get("serving")));
      assertThat(status(d, primary)).containsEntry("role", "PRIMARY").containsEntry("epoch", 2);
      HttpResponse<String> afterUnfence = put(d, primary, "after-unfence");
      assertThat(afterUnfence.statusCode())
          .as("the unfenced primary serves: %s", afterUnfence.body())
          .isEqualTo(200);
      assertThat(d.units.failovers(Drill.UNIT)).isZero();
    }
  }

  private static void fence(Drill d, String members) {
    d.units.annotate(Drill.UNIT, UnitAnnotations.FENCED_MEMBERS, members);
  }

  private static String podIp(Drill d, String pod) {
    return cluster
        .client
        .pods()
        .inNamespace(d.namespace)
        .withName(pod)
        .get()
        .getStatus()
        .getPodIP();
  }

  private static boolean podReady(Drill d, String pod) {
    return cluster
        .client
        .pods()
        .inNamespace(d.namespace)
        .withName(pod)
        .get()
        .getStatus()
        .getConditions()
        .stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A write sent to the member's own application (its pod IP), not through the Service. */
  private static HttpResponse<String> put(Drill d, String pod, String key) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(
            URI.create("http://" + podIp(d, pod) + ":8080/kv/" + key))
        .timeout(Duration.ofSeconds(5))
        .PUT(HttpRequest.BodyPublishers.ofString("v:" + key))
        .build();
    return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** The member's sidecar status page (its health port, as a kubelet's probe reaches it); empty when it does not answer. */
  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> status(Drill d, String pod) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + podIp(d, pod) + ":7482/status"))
          .timeout(Duration.ofSeconds(5))
          .GET()
          .build();
      return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
          HTTP.send(r, HttpResponse.BodyHandlers.ofString()).body(), java.util.Map.class);
    } catch (Exception e) {
      return java.util.Map.of();
    }
  }

  private static boolean is(Drill d, String pod, String key, Object value) {
    return value.equals(status(d, pod).get(key));
  }
}
