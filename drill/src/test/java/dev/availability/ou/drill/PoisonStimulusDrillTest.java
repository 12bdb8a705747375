package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.QuarantinedStimulusStatus;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A poison stimulus with real pods, the sample app and a client (issue 20 items 2 and 3): in a Journal unit whose
 * application has the poison test hook on, a job with the word "poison" crashes the primary's application, then the
 * promoted member's as it reprocesses the job. The operator quarantines it (condition CommonModeFailure, the
 * evidence in status.quarantinedStimuli) with at most two failovers; the next primary tells the job's user it was
 * ignored and settles it; the unit serves again with no acknowledged write lost; a human drops it.
 */
@Tag("cluster")
class PoisonStimulusDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-poison-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
  }

  @Test
  void aPoisonJobIsQuarantinedAfterAtMostTwoFailoversAndItsUserIsToldItWasIgnored()
      throws Exception {
    try (Drill d = new Drill(cluster, "poison", ReplicationMode.Journal)) {
      d.createProtected(u -> u.getSpec()
          .getTemplate()
          .getSpec()
          .getContainers()
          .get(0)
          .getEnv()
          .add(new EnvVar("KVSTORE_POISON_HOOK", "true", null)));
      String service = "http://" + cluster.serviceAddress(d.namespace, Drill.UNIT);
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      int before = d.units.failovers(Drill.UNIT);
      assertThat(post(service + "/jobs/j-1", "three little words").body())
          .as("a harmless job is done")
          .contains("\"words\":3");

      String first = d.primary();
      HttpResponse<String> poisoned = postOrNull(service + "/jobs/j-2", "a poison pill");
      assertThat(poisoned)
          .as("the poison's user gets no answer: the application exits")
          .isNull();

      await("job-j-2 quarantined, the evidence in the status")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> quarantined(d).stream().anyMatch(q -> q.getId().equals("job-j-2")));
      assertThat(quarantined(d))
          .extracting(QuarantinedStimulusStatus::getId)
          .as("the job alone: the application said it reprocessed it, not the writes beside it")
          .containsExactly("job-j-2");
      QuarantinedStimulusStatus q = quarantined(d).get(0);
      assertThat(q.getMembers()).hasSize(2).startsWith(first);
      assertThat(q.getMembers().get(1)).isNotEqualTo(first);
      assertThat(q.getFailedAt()).hasSize(2);
      Condition c = condition(d, "CommonModeFailure");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("StimulusQuarantined");
      assertThat(c.getMessage())
          .contains("job-j-2", q.getMembers().get(0), q.getMembers().get(1));
      assertThat(d.units.eventReasons(Drill.UNIT)).contains("StimulusQuarantined");

      d.awaitProtected("serving again after the poison", 0);
      await("the job's user told it was ignored")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> {
            HttpResponse<String> r = getOrNull(service + "/jobs/j-2");
            return r != null && r.statusCode() == 200 && r.body().contains("\"ignored\"");
          });
      await("settled by the application")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> quarantined(d).get(0).getSettledAt() != null);
      int failovers = d.units.failovers(Drill.UNIT) - before;
      Progress.log("poison drill: " + failovers + " failover(s); " + c.getMessage());
      assertThat(failovers).as("failovers the poison cost").isLessThanOrEqualTo(2);

      String token = "job-j-2@" + Instant.now();
      d.units.annotate(
          Drill.UNIT, UnitAnnotations.DROP_STIMULUS, token); // as kubectl ou drop writes it
      await("dropped")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            var requests = d.units.get(Drill.UNIT).getStatus().getRequests();
            return requests != null
                && requests.stream()
                    .anyMatch(r -> r.getKind() == RequestStatus.Kind.DropStimulus
                        && token.equals(r.getValue())
                        && r.getState() == RequestStatus.State.Done)
                && quarantined(d).isEmpty()
                && "False".equals(condition(d, "CommonModeFailure").getStatus());
          });
      assertThat(get(service + "/jobs/j-1").body()).contains("\"done\"");

      Drill.pauseQuietly(Duration.ofSeconds(2));
      ClientVerdict v = d.finish();
      Progress.log("poison drill: acknowledged " + v.acknowledged() + ", lost " + v.lost()
          + ", outage " + v.outageMillis() + " ms");
      assertThat(v.lost()).as("acknowledged writes lost: %s", v.lostExamples()).isZero();
      assertThat(v.splitBrain()).isZero();
      assertThat(v.acknowledged()).isPositive();
      assertThat(d.units.failovers(Drill.UNIT) - before)
          .as("no failover after the quarantine")
          .isEqualTo(failovers);
    }
  }

  private static List<QuarantinedStimulusStatus> quarantined(Drill d) {
    var s = d.units.get(Drill.UNIT).getStatus();
    return s == null || s.getQuarantinedStimuli() == null ? List.of() : s.getQuarantinedStimuli();
  }

  private static Condition condition(Drill d, String type) {
    return d.units.get(Drill.UNIT).getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the unit shows no condition " + type));
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The answer, or null when the connection broke or nothing came back in time (the server died). */
  private static HttpResponse<String> postOrNull(String url, String body) {
    try {
      return post(url, body);
    } catch (Exception e) {
      Progress.log("poison drill: POST " + url + ": " + e);
      return null;
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> getOrNull(String url) {
    try {
      return get(url);
    } catch (Exception e) {
      return null;
    }
  }
}
