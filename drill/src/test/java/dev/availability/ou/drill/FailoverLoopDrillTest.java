package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.LoopProtectionSpec;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failover-loop protection with real pods and a client (issue 20 item 1): a unit allowed one failover per window fails
 * over on the first crash of its primary's application, not on the second (the new primary's), says so (Degraded,
 * FailoverLoop, a Warning event) and waits; the crashed application comes back where it was; a human resumes, and
 * nothing acknowledged is lost throughout.
 */
@Tag("cluster")
class FailoverLoopDrillTest {
  static DrillCluster cluster;
  static DrillOperator operator;

  @BeforeAll
  static void start() throws Exception {
    DrillSuite suite = DrillSuite.start("ou-loop-drill-operator");
    cluster = suite.cluster();
    operator = suite.operator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
  }

  @Test
  void theSecondCrashWithinTheWindowIsNotFailedOverAndAHumanResumes() throws Exception {
    try (Drill d = new Drill(cluster, "loop")) {
      d.createProtected(u -> {
        LoopProtectionSpec loop = new LoopProtectionSpec();
        loop.setMaxFailovers(1);
        u.getSpec().getFailover().setLoopProtection(loop);
      });
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));

      String first = d.primary();
      cluster.run("kill-container", d.namespace, first, Drill.UNIT);
      d.awaitProtected("after the first crash", 1);
      String second = d.primary();
      assertThat(second).as("failed over once").isNotEqualTo(first);
      await("Degraded, FailoverLoop, while the unit serves")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> "FailoverLoop".equals(degraded(d).getReason()));

      cluster.run("kill-container", d.namespace, second, Drill.UNIT);
      await("the held failure told")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> d.units.eventReasons(Drill.UNIT).contains("FailoverLoop"));
      await("the crashed application back where it was")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> d.units.readyEndpointPods(Drill.UNIT).equals(java.util.Set.of(second)));
      assertThat(d.units.failovers(Drill.UNIT))
          .as("failovers: the second crash was not failed over")
          .isEqualTo(1);
      assertThat(d.primary()).isEqualTo(second);
      Progress.log("loop drill: " + degraded(d).getMessage());

      String token = Instant.now().toString();
      d.units.annotate(
          Drill.UNIT, UnitAnnotations.RESUME_FAILOVERS, token); // as kubectl ou resume writes it
      await("resumed")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> {
            var requests = d.units.get(Drill.UNIT).getStatus().getRequests();
            return requests != null
                && requests.stream()
                    .anyMatch(r -> r.getKind() == RequestStatus.Kind.ResumeFailovers
                        && token.equals(r.getValue())
                        && r.getState() == RequestStatus.State.Done)
                && "AsExpected".equals(degraded(d).getReason());
          });
      Drill.pauseQuietly(Duration.ofSeconds(2));
      ClientVerdict v = d.finish();
      Progress.log("loop drill: acknowledged " + v.acknowledged() + ", lost " + v.lost()
          + ", outage " + v.outageMillis() + " ms");
      assertThat(v.lost()).as("acknowledged writes lost: %s", v.lostExamples()).isZero();
      assertThat(v.splitBrain()).isZero();
      assertThat(v.acknowledged()).isPositive();
    }
  }

  private static Condition degraded(Drill d) {
    return d.units.get(Drill.UNIT).getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
