package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.RequestAnswer.State;
import dev.availability.ou.failover.Requests.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 6: a drill (annotation drill) promotes an in-sync standby the way a fault does and records its RTO and
 * RPO as a history entry of kind Drill, counted as no failover; the history keeps the last 10 promotions of every
 * kind, newest first, each completing its timings as lastFailover does.
 */
class DrillAndHistoryTest {

  static void drill(World w, String value) {
    w.policy =
        w.policy.withRequests(new Requests(w.policy.requests().switchoverTo(), value, null, null));
  }

  @Test
  void aDrillPromotesTheInSyncStandbyTheWayAFaultDoesAndRecordsItsRecoveryCountedAsNoFailover() {
    World w = World.threeNodes().bootstrap();
    int mark = w.mark();
    drill(w, "2030-01-01T00:00:05Z");

    Decision d = w.reconcile();

    assertThat(d.persistStateFirst()).isTrue();
    Intent i = d.state().intent();
    assertThat(i.kind()).isEqualTo(PromotionKind.Drill);
    assertThat(i.planned()).as("the failure path, not the planned one").isFalse();
    assertThat(i.target()).isEqualTo("db-1");
    assertThat(i.faultObservedAt()).as("the drill's fault is the request").isEqualTo(w.now);
    assertThat(d.state().answer(Kind.Drill).state()).isEqualTo(State.InProgress);
    assertThat(d.actions())
        .singleElement()
        .isInstanceOfSatisfying(
            Emit.class, e -> assertThat(e.reason()).isEqualTo(EventReason.DrillStarted));
    assertThat(w.condition(ConditionType.FailoverInProgress).reason()).isEqualTo("Drill");
    assertThat(w.condition(ConditionType.Ready).reason()).isEqualTo("FailingOver");

    w.switchTraffic();
    assertThat(w.status.answer(Kind.Drill).state()).isEqualTo(State.Done);
    assertThat(w.status.answer(Kind.Drill).message())
        .contains("drill from db-0 to db-1", "ms after the request", "0 updates lost");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.failovers()).isZero();
    assertThat(w.status.switchovers()).isZero();
    FailoverTimings t = w.status.lastFailover();
    assertThat(w.status.history()).containsExactly(t);
    assertThat(t.kind()).isEqualTo(PromotionKind.Drill);
    assertThat(t.reason()).isEqualTo("Drill");
    assertThat(t.planned()).isFalse();
    assertThat(t.updatesLost()).as("RPO").isZero();
    assertThat(t.trafficSwitched()).as("RTO").isPositive();
    assertThat(t.endpointsSwitchedAt()).isNotNull();
    assertThat(t.standbyReadyAt()).isNotNull();
    assertThat(t.withinRecoveryBudget()).isTrue();
    assertThat(w.lostAtPromotion).containsExactly(0L);
    assertThat(w.eventsSince(mark))
        .containsSubsequence(
            EventReason.DrillStarted,
            EventReason.PrimaryFenced,
            EventReason.StandbyPromoted,
            EventReason.TrafficSwitched,
            EventReason.DrillCompleted);
    assertThat(w.eventsSince(mark))
        .doesNotContain(
            EventReason.FailoverStarted,
            EventReason.FailoverCompleted,
            EventReason.SwitchoverStarted);

    int after = w.mark();
    w.run(Duration.ofSeconds(5));
    assertThat(w.status.epoch()).as("one drill per value").isEqualTo(2);
    assertThat(w.eventsSince(after)).doesNotContain(EventReason.DrillStarted);
  }

  @Test
  void aDrillInAsynchronousModeRecordsTheUpdatesLostAsItsRpo() {
    World w = new World(World.policy(UnitPolicy.Mode.Asynchronous), "node-a", "node-b", "node-c");
    w.asyncLag = 4;
    w.bootstrap();
    w.run(Duration.ofSeconds(1));
    drill(w, "1");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    assertThat(w.status.lastFailover().kind()).isEqualTo(PromotionKind.Drill);
    assertThat(w.status.lastFailover().updatesLost()).isEqualTo(4);
    assertThat(w.lostAtPromotion).as("what the clients really lost").containsExactly(4L);
  }

  @Test
  void aDrillIsRefusedWhenNoStandbyIsInSync() {
    World w = World.threeNodes().bootstrap();
    w.standby().manualReport = true;
    w.standby().inSync = false;
    w.standby().lag = 3L;
    w.tick();
    drill(w, "1");

    Decision d = w.reconcile();

    assertThat(d.state().intent()).isNull();
    RequestAnswer a = d.state().answer(Kind.Drill);
    assertThat(a.state()).isEqualTo(State.Refused);
    assertThat(a.message())
        .startsWith("no standby is in sync (standby db-1 is catching up (3 updates behind))")
        .contains("Protected", "new value");
    assertThat(d.actions())
        .anyMatch(x -> x instanceof Emit e
            && e.reason() == EventReason.RequestRefused
            && e.warning()
            && e.message().startsWith("drill '1' refused: no standby is in sync"));
    assertThat(d.actions())
        .noneMatch(x -> x instanceof Action.Assign || x instanceof Action.PointService);
  }

  @Test
  void aDrillIsRefusedWhileThePrimaryIsNotHealthyOrAPromotionIsUnderWay() {
    World w = World.threeNodes().bootstrap();
    w.setReadiness("db-0", false);
    w.tick();
    drill(w, "1");
    RequestAnswer unready = w.reconcile().state().answer(Kind.Drill);
    assertThat(unready.state()).isEqualTo(State.Refused);
    assertThat(unready.message())
        .startsWith("primary db-0 is not ready; a drill measures the recovery of a healthy unit");

    World u = World.threeNodes().bootstrap();
    RequestedSwitchoverTest.ask(u, "db-1");
    u.reconcile(); // the switchover's intent
    drill(u, "1");
    Decision d = u.reconcile();
    assertThat(d.state().answer(Kind.Drill).state()).isEqualTo(State.Refused);
    assertThat(d.state().answer(Kind.Drill).message())
        .startsWith("a switchover from db-0 to db-1 is under way");
    assertThat(d.state().intent().kind()).isEqualTo(PromotionKind.Switchover);
  }

  @Test
  void theHistoryKeepsFailoversSwitchoversAndDrillsNewestFirstTheNewestBeingLastFailover() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    RequestedSwitchoverTest.ask(w, "any");
    w.runUntilProtectedAt(3, Duration.ofSeconds(10));
    drill(w, "1");
    w.runUntilProtectedAt(4, Duration.ofSeconds(10));

    assertThat(w.status.history())
        .extracting(FailoverTimings::kind)
        .containsExactly(PromotionKind.Drill, PromotionKind.Switchover, PromotionKind.Failover);
    assertThat(w.status.history()).extracting(FailoverTimings::epoch).containsExactly(4L, 3L, 2L);
    assertThat(w.status.history().get(0)).isEqualTo(w.status.lastFailover());
    assertThat(w.status.history()).allSatisfy(t -> {
      assertThat(t.endpointsSwitchedAt()).as("timings completed: endpoints").isNotNull();
      assertThat(t.standbyReadyAt())
          .as("timings completed: protection restored")
          .isNotNull();
    });
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.status.switchovers()).isEqualTo(1);
  }

  @Test
  void theHistoryKeepsTheLastTen() {
    World w = World.threeNodes().bootstrap();
    for (int n = 1; n <= 12; n++) {
      drill(w, "drill-" + n);
      w.runUntilProtectedAt(n + 1, Duration.ofSeconds(10));
    }

    assertThat(w.status.history()).hasSize(UnitState.HISTORY);
    assertThat(w.status.history())
        .extracting(FailoverTimings::epoch)
        .containsExactly(13L, 12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L);
    assertThat(w.status.failovers()).isZero();
  }
}
