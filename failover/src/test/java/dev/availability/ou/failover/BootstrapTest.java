package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootstrapTest {

  @Test
  void bootstrapCreatesPrimaryAndStandbyAtEpochOneWithLeaseAndServiceAndPersistsStateFirst() {
    World w = World.threeNodes();
    Decision d = w.decider.decide(w.observe());

    assertThat(d.persistStateFirst()).isTrue();
    assertThat(d.phase()).isEqualTo(Phase.Pending);
    assertThat(d.state().primary()).isEqualTo("db-0");
    assertThat(d.state().standby()).isEqualTo("db-1");
    assertThat(d.state().epoch()).isEqualTo(1);
    assertThat(d.state().failovers()).isZero();
    assertThat(d.state().nextOrdinal()).isEqualTo(2);
    assertThat(d.actions())
        .startsWith(
            new CreateMember("db-0", 0, Role.Primary, 1, "db-1", Set.of(), null),
            new CreateMember("db-1", 1, Role.Standby, 1, "db-0", Set.of(), null),
            new HoldLease("db-0", 1, w.thresholds().leaseDuration()),
            new PointService("db-0"));
    assertThat(d.actions().get(4))
        .isInstanceOfSatisfying(
            Emit.class, e -> assertThat(e.reason()).isEqualTo(EventReason.MembersCreated));
  }

  @Test
  void bootstrapReachesProtectedWithPrimaryAndStandbyOnDifferentNodes() {
    World w = World.threeNodes().bootstrap();

    assertThat(w.phases()).containsSubsequence(Phase.Pending, Phase.Protected);
    assertThat(w.primary().node).isNotEqualTo(w.standby().node);
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.lease.holder()).isEqualTo("db-0");
    assertThat(w.condition(ConditionType.Ready).status()).isTrue();
    assertThat(w.condition(ConditionType.Protected).status()).isTrue();
    assertThat(w.condition(ConditionType.Degraded).status()).isFalse();
    assertThat(w.status.homeNode()).isEqualTo(w.primary().node);
    assertThat(w.status.primaryRestartBaseline()).isZero();
    assertThat(w.last().actions()).allMatch(a -> a instanceof Emit);
  }

  @Test
  void adoptsMembersFromTheirAssignmentsWhenTheStatusIsLost() {
    World w = World.threeNodes().bootstrap();
    long created = w.actions().stream().filter(a -> a instanceof CreateMember).count();
    w.status = UnitState.initial();

    Decision d = w.settle();

    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.status.epoch()).isEqualTo(1);
    assertThat(w.status.nextOrdinal()).isEqualTo(2);
    assertThat(d.phase()).isEqualTo(Phase.Protected);
    assertThat(w.actions().stream().filter(a -> a instanceof CreateMember).count())
        .isEqualTo(created);
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
  }

  @Test
  void adoptsTheNewestPrimaryWhenTheStatusIsLostAfterAFailover() {
    World w = World.threeNodes().bootstrap();
    w.removePod("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(5));
    w.status = UnitState.initial();

    w.settle();

    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.epoch()).isEqualTo(2);
    assertThat(w.status.standby()).isEqualTo("db-2");
    assertThat(w.last().phase()).isEqualTo(Phase.Protected);
  }

  @Test
  void aStrayMemberThatIsNeitherPrimaryNorStandbyIsDeleted() {
    World w = World.threeNodes().bootstrap();
    w.decider.decide(w.observe());
    World.Pod stray = new World.Pod("db-7", 7);
    stray.node = "node-c";
    stray.phase = Member.PodPhase.Running;
    w.pods.put(stray.name, stray);

    w.settle();

    assertThat(w.actions()).contains(new Action.DeleteMember("db-7", false));
    w.run(w.gracefulTermination.plus(World.TICK));
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.status.nextOrdinal()).isEqualTo(2);
  }

  @Test
  void reassignsAPrimaryWhoseAssignmentWasLost() {
    World w = World.threeNodes().bootstrap();
    w.primary().role = null;
    w.primary().epoch = 0;

    Decision d = w.settle();

    assertThat(w.actions()).contains(new Assign("db-0", Role.Primary, 1, "db-1"));
    assertThat(d.phase()).isEqualTo(Phase.Protected);
  }

  @Test
  void repairsAServiceSelectorSomeoneElseChanged() {
    World w = World.threeNodes().bootstrap();
    w.selector = "db-1";
    int mark = w.mark();

    w.settle();

    assertThat(w.actionsSince(mark)).contains(new PointService("db-0"));
    assertThat(w.eventsSince(mark)).contains(EventReason.ServiceRepaired);
    assertThat(w.selector).isEqualTo("db-0");
  }
}
