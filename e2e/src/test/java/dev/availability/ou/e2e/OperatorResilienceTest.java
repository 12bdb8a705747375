package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.UnitPhase;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator itself fails: a failover resumes from the status, and two replicas never act twice. */
class OperatorResilienceTest extends EndToEndTest {

  @Test
  void anOperatorKilledInTheMiddleOfAFailoverIsResumedByItsSuccessor() {
    String unit = "res-kill";
    h.createProtected(unit);
    String primary = h.units.primary(unit);
    String standby = h.units.standby(unit);
    faults.setContainerTerminated(h.namespace, primary, "kvstore", 137);
    // Kill the operator the moment its intent is durable, wherever the following writes then stand.
    await("failover intent written")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10))
        .until(() ->
            h.units.get(unit).getStatus().getFailover() != null || h.units.failovers(unit) > 0);
    h.operator.kill();

    h.operator =
        h.startOperator("successor"); // takes the leader lease once the killed one's expires
    await("endpoints on " + standby)
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.endpointPods(unit).equals(Set.of(standby)));
    await("Protected with exactly one failover")
        .atMost(Duration.ofSeconds(60))
        .until(() -> h.units.phase(unit) == UnitPhase.Protected && h.units.failovers(unit) == 1);
    assertThat(h.units.get(unit).getStatus().getEpoch()).isEqualTo(2L);
    assertThat(Collections.frequency(h.units.eventReasons(unit), "StandbyPromoted"))
        .isEqualTo(1);
    h.units.delete(unit);
  }

  @Test
  void twoOperatorReplicasElectOneLeaderAndTheOtherTakesOver() {
    OperatorProcess second = h.startOperator("replica");
    try {
      await("exactly one leader")
          .atMost(Duration.ofSeconds(30))
          .until(() -> h.operator.isLeader() ^ second.isLeader());
      String unit = "res-two";
      h.createProtected(unit);
      faults.setContainerTerminated(h.namespace, h.units.primary(unit), "kvstore", 137);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> h.units.phase(unit) == UnitPhase.Protected && h.units.failovers(unit) == 1);
      assertThat(Collections.frequency(h.units.eventReasons(unit), "FailoverStarted"))
          .isEqualTo(1);
      assertThat(h.operator.isLeader() && second.isLeader()).isFalse();

      OperatorProcess leader = h.operator.isLeader() ? h.operator : second;
      OperatorProcess follower = leader == second ? h.operator : second;
      leader.kill();
      await("the follower leads").atMost(Duration.ofSeconds(40)).until(follower::isLeader);
      faults.setContainerTerminated(h.namespace, h.units.primary(unit), "kvstore", 137);
      await("a second failover by the new leader")
          .atMost(Duration.ofSeconds(60))
          .until(() -> h.units.phase(unit) == UnitPhase.Protected && h.units.failovers(unit) == 2);
      if (follower == second) h.operator = second;
      h.units.delete(unit);
    } finally {
      if (h.operator != second) second.close();
    }
  }
}
