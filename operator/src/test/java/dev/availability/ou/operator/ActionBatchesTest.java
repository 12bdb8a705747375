package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action;
import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActionBatchesTest {
  private final Action lease = new HoldLease("db-1", 2, Duration.ofSeconds(2));
  private final Action depose = new Assign("db-0", Role.Standby, 2, "db-1");
  private final Action promote = new Assign("db-1", Role.Primary, 2, "db-0");

  @Test
  void thePromotionsAssignmentsGoTogetherAfterTheLease() {
    assertThat(ActionBatches.of(List.of(lease, depose, promote)))
        .containsExactly(List.of(lease), List.of(depose, promote));
  }

  @Test
  void theFollowingStandbysCreationGoesWithThePromotion() {
    Action create = new Action.CreateMember("db-2", 2, Role.Standby, 2, "db-1", Set.of(), null);
    Action fence = new Assign("db-0", Role.Fenced, 2, null);
    Action promoteWithSuccessor = new Assign("db-1", Role.Primary, 2, "db-2");
    assertThat(ActionBatches.of(List.of(lease, fence, promoteWithSuccessor, create)))
        .containsExactly(List.of(lease), List.of(fence, promoteWithSuccessor, create));
    Action recreate = new Action.CreateMember("db-1", 1, Role.Standby, 2, "db-0", Set.of(), null);
    assertThat(ActionBatches.of(List.of(promote, recreate)))
        .as("never two writes of one pod at once")
        .containsExactly(List.of(promote), List.of(recreate));
  }

  @Test
  void everythingElseKeepsItsPlaceAlone() {
    Action point = new PointService("db-1");
    assertThat(ActionBatches.of(List.of(depose, point, promote, lease)))
        .containsExactly(List.of(depose), List.of(point), List.of(promote), List.of(lease));
  }

  @Test
  void twoAssignmentsOfOnePodNeverRunAtOnce() {
    Action again = new Assign("db-0", Role.Fenced, 3, null);
    assertThat(ActionBatches.of(List.of(depose, promote, again)))
        .containsExactly(List.of(depose, promote), List.of(again));
    assertThat(ActionBatches.of(List.of())).isEmpty();
  }
}
