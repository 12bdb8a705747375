package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Emit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A paused unit is observed and reported on but nothing is done to it: no promotion, no replacement, no roll, no
 * pod created or deleted, no assignment or lease written. Its status says what the operator would do; resuming
 * acts on what it then observes. A pause during a failover holds it where it is, never with two primaries.
 */
class PauseTest {

  private static void pause(World w, boolean paused) {
    w.policy = w.policy.withRequests(new Requests(null, null, paused ? "true" : null, null));
  }

  private static List<Action> nonEvents(World w, int mark) {
    return w.actionsSince(mark).stream().filter(a -> !(a instanceof Emit)).toList();
  }

  private static void neverTwoAcknowledging(World w) {
    w.checks.add(step -> assertThat(
            w.pods.values().stream().filter(w::canAcknowledge).map(p -> p.name).toList())
        .as("members acknowledging writes")
        .hasSizeLessThanOrEqualTo(1));
  }

  @Test
  void aPausedUnitDoesNotFailOverAndSaysWhatItWouldDoThenResumes() {
    World w = World.threeNodes().bootstrap();
    neverTwoAcknowledging(w);
    pause(w, true);
    w.run(Duration.ofMillis(500));
    assertThat(w.condition(ConditionType.Paused).status()).isTrue();
    int mark = w.mark();

    w.removePod("db-0");
    w.run(Duration.ofSeconds(10));

    assertThat(nonEvents(w, mark)).as("nothing done while paused").isEmpty();
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.intent()).isNull();
    assertThat(w.status.failovers()).isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.pods).containsOnlyKeys("db-1");
    assertThat(w.lastPhase()).isEqualTo(Phase.Degraded);
    ConditionView paused = w.condition(ConditionType.Paused);
    assertThat(paused.status()).isTrue();
    assertThat(paused.reason()).isEqualTo("PausedByAnnotation");
    assertThat(paused.message())
        .contains("acts on nothing", "fail over from db-0 to db-1 at epoch 2 (PodGone)");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("primary pod db-0 is gone", "paused");
    assertThat(w.condition(ConditionType.FailoverInProgress).status()).isFalse();
    assertThat(w.eventsSince(mark)).containsOnly(EventReason.ActionHeld);

    mark = w.mark();
    pause(w, false);
    w.runUntilProtectedAt(2, Duration.ofSeconds(10));
    assertThat(w.status.primary()).isEqualTo("db-1");
    assertThat(w.status.failovers()).isEqualTo(1);
    assertThat(w.eventsSince(mark))
        .startsWith(EventReason.Resumed)
        .contains(EventReason.FailoverStarted);
    assertThat(w.condition(ConditionType.Paused).status()).isFalse();
  }

  @Test
  void aPausedUnitNeitherReplacesAFailedStandbyNorRollsASpecChange() {
    World w = World.threeNodes().bootstrap();
    pause(w, true);
    int mark = w.mark();

    w.appTerminated("db-1");
    w.policy = new UnitPolicy(
        "db",
        UnitPolicy.Mode.Synchronous,
        true,
        Duration.ofSeconds(5),
        null,
        false,
        "h2",
        w.policy.requests());
    w.run(Duration.ofSeconds(5));

    assertThat(nonEvents(w, mark)).isEmpty();
    assertThat(w.pods).containsOnlyKeys("db-0", "db-1");
    assertThat(w.condition(ConditionType.Paused).message())
        .contains("delete db-1", "create standby db-2");

    pause(w, false);
    w.runUntil(x -> x.pods.containsKey("db-2"), "standby replaced", Duration.ofSeconds(5));
  }

  @Test
  void aPausedNewUnitCreatesNothing() {
    World w = World.threeNodes();
    pause(w, true);
    w.run(Duration.ofSeconds(2));
    assertThat(w.pods).isEmpty();
    assertThat(w.lease).isNull();
    assertThat(w.selector).isNull();
    assertThat(w.condition(ConditionType.Paused).message())
        .contains("create primary db-0", "create standby db-1");

    pause(w, false);
    w.runUntil(Phase.Protected, Duration.ofSeconds(5));
  }

  /** Paused at each step of a failover under way: nothing more happens, never two primaries, and resuming completes it. */
  @Test
  void aPauseDuringAFailoverHoldsItWhereItIs() {
    // 1: the intent written; 2: lease, fence and promotion sent, the target yet to confirm; 3:
    // traffic moved, the former primary's removal and the new standby to come.
    for (int stepsBeforePause = 1; stepsBeforePause <= 3; stepsBeforePause++) {
      World w = World.threeNodes().bootstrap();
      neverTwoAcknowledging(w);
      w.pod("db-1").sidecarHung = true; // the target confirms its promotion only once released
      w.appExits("db-0", Duration.ofSeconds(2));
      for (int i = 0; i < stepsBeforePause; i++) {
        if (i == 2) w.pod("db-1").sidecarHung = false;
        w.tick();
        w.reconcile();
      }
      assertThat(w.status.intent())
          .as("a failover under way after %d steps", stepsBeforePause)
          .isNotNull();
      UnitState held = w.status;
      String selector = w.selector;
      PrimaryLease lease = w.lease;
      pause(w, true);
      w.pod("db-1").sidecarHung = false;
      int mark = w.mark();

      w.run(Duration.ofSeconds(5));

      assertThat(nonEvents(w, mark))
          .as("nothing done while paused (after %d steps)", stepsBeforePause)
          .isEmpty();
      assertThat(w.status.intent()).isEqualTo(held.intent());
      assertThat(w.status.primary()).isEqualTo(held.primary());
      assertThat(w.selector).isEqualTo(selector);
      assertThat(w.lease)
          .extracting(PrimaryLease::holder, PrimaryLease::epoch)
          .containsExactly(lease.holder(), lease.epoch());
      assertThat(w.lastPhase()).isEqualTo(Phase.FailingOver);
      assertThat(w.condition(ConditionType.FailoverInProgress).message())
          .contains("held where it is");

      pause(w, false);
      w.runUntilProtectedAt(2, Duration.ofSeconds(15));
      assertThat(w.status.primary()).isEqualTo("db-1");
      assertThat(w.lostAtPromotion).containsOnly(0L);
    }
  }
}
