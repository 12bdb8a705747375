package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What status.lastFailover records, and when. */
class TimingsTest {

  private static Instant firstAt(World w, int from, Phase phase) {
    return w.steps.subList(from, w.steps.size()).stream()
        .filter(s -> s.decision().phase() == phase)
        .findFirst()
        .orElseThrow()
        .at();
  }

  @Test
  void aFailoverRecordsDetectionPromotionTrafficSwitchedAndProtectionRestored() {
    World w = World.threeNodes().bootstrap();
    w.run(Duration.ofSeconds(1));
    int mark = w.mark();
    Instant crash = w.now;
    w.appCrashLoop("db-0");

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    FailoverTimings t = w.status.lastFailover();
    assertThat(t.faultObservedAt()).isEqualTo(crash);
    assertThat(t.decidedAt()).isEqualTo(firstAt(w, mark, Phase.FailingOver));
    assertThat(t.detection()).isEqualTo(Duration.between(crash, t.decidedAt()));
    assertThat(t.serviceSwitchedAt())
        .as("once db-1 took the promotion, a tick later")
        .isEqualTo(t.decidedAt().plus(World.TICK));
    assertThat(t.promotion()).isEqualTo(Duration.between(t.decidedAt(), t.serviceSwitchedAt()));
    assertThat(t.endpointsSwitchedAt())
        .as("the EndpointSlice follows at the next tick")
        .isEqualTo(t.serviceSwitchedAt().plus(World.TICK));
    assertThat(t.trafficSwitched()).isEqualTo(Duration.between(crash, t.endpointsSwitchedAt()));
    assertThat(t.standbyReadyAt()).isEqualTo(firstAt(w, mark + 1, Phase.Protected));
    assertThat(t.recoveryBudget()).isEqualTo(w.policy.recoveryBudget());
    assertThat(t.withinRecoveryBudget()).isTrue();
    assertThat(t.epoch()).isEqualTo(2);
    assertThat(w.eventsSince(mark)).containsOnlyOnce(EventReason.ProtectionRestored);
  }

  @Test
  void endpointsCountAsSwitchedOnlyWhenTheyListTheNewPrimaryAlone() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.switchTraffic();
    w.endpoints = Set.of("db-0", "db-1");
    w.settle();
    assertThat(w.status.lastFailover().endpointsSwitchedAt()).isNull();
    assertThat(w.status.lastFailover().trafficSwitched())
        .as("falls back to the Service write")
        .isEqualTo(Duration.between(
            w.status.lastFailover().faultObservedAt(),
            w.status.lastFailover().serviceSwitchedAt()));

    w.endpoints = Set.of("db-1");
    w.now = w.now.plusMillis(30);
    w.settle();

    assertThat(w.status.lastFailover().endpointsSwitchedAt()).isEqualTo(w.now);
  }

  @Test
  void theEndpointsSwitchIsRecordedOnceAndNotMovedLater() {
    World w = World.threeNodes().bootstrap();
    w.appCrashLoop("db-0");
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    Instant recorded = w.status.lastFailover().endpointsSwitchedAt();

    w.run(Duration.ofSeconds(2));

    assertThat(w.status.lastFailover().endpointsSwitchedAt()).isEqualTo(recorded);
  }

  @Test
  void aFailoverSlowerThanTheBudgetIsRecordedAsNotWithinIt() {
    Instant t0 = World.T0;
    FailoverTimings slow = new FailoverTimings(
        "db-0",
        "db-1",
        2,
        "Unready",
        "m",
        t0,
        t0.plusSeconds(4),
        t0.plusSeconds(4),
        t0.plusSeconds(6),
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Failover);
    assertThat(slow.withinRecoveryBudget()).isFalse();
    FailoverTimings exact = new FailoverTimings(
        "db-0",
        "db-1",
        2,
        "Unready",
        "m",
        t0,
        t0.plusSeconds(4),
        t0.plusSeconds(5),
        null,
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Failover);
    assertThat(exact.withinRecoveryBudget()).isTrue();
    FailoverTimings unswitched = new FailoverTimings(
        "db-0",
        "db-1",
        2,
        "Unready",
        "m",
        t0,
        t0.plusSeconds(4),
        null,
        null,
        null,
        Duration.ofSeconds(5),
        0L,
        PromotionKind.Failover);
    assertThat(unswitched.withinRecoveryBudget()).isNull();
    assertThat(unswitched.promotion()).isNull();
    assertThat(unswitched.detection()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void aFailoverDetectedByTheLeaseFitsTheBudgetWithTheDocumentedMargin() {
    World w = World.threeNodes(UnitPolicy.Mode.Asynchronous)
        .bootstrap(); // (in the other modes its standby vouches for it)
    w.primary().leaseBlocked = true;

    w.runUntilProtectedAt(2, Duration.ofSeconds(10));

    FailoverTimings t = w.status.lastFailover();
    assertThat(t.detection()).isLessThanOrEqualTo(w.thresholds().leaseDuration());
    assertThat(t.trafficSwitched()).isLessThanOrEqualTo(w.policy.recoveryBudget());
  }
}
