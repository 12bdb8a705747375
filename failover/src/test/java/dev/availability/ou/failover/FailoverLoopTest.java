package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 item 1: after K failovers within W the unit fails over no more on its own, says why (Degraded,
 * FailoverLoop, the failovers that tripped it) and waits for a human; a resumption answered makes the failovers before
 * it stop counting. (RandomizedFailoverPropertyTest checks "never more than K within W since a resumption" at random.)
 */
class FailoverLoopTest {
  private static World unit(int maxFailovers, Duration window) {
    UnitPolicy p = World.policy(UnitPolicy.Mode.Synchronous);
    return new World(
            new UnitPolicy(
                p.unit(),
                p.mode(),
                true,
                p.recoveryBudget(),
                null,
                false,
                p.templateHash(),
                null,
                new UnitPolicy.LoopProtection(maxFailovers, window)),
            "node-a",
            "node-b",
            "node-c")
        .bootstrap();
  }

  /** The primary's application crashes for good: a failover, then Protected again on a new standby. */
  private static void crashThePrimaryAndSettle(World w) {
    w.appCrashLoop(w.status.primary());
    w.run(Duration.ofSeconds(20));
  }

  @Test
  void theFailoverAfterKWithinTheWindowIsNotMadeAndTheUnitSaysWhyAndWaitsForAHuman() {
    World w = unit(2, Duration.ofMinutes(10));
    crashThePrimaryAndSettle(w);
    crashThePrimaryAndSettle(w);
    assertThat(w.status.failovers()).isEqualTo(2);
    assertThat(w.condition(ConditionType.Degraded).reason())
        .as("tripped: shown while the unit serves, before any fault is held")
        .isEqualTo("FailoverLoop");
    String primary = w.status.primary();
    int mark = w.mark();

    w.appCrashLoop(primary);
    w.run(Duration.ofSeconds(30));

    assertThat(w.status.failovers()).as("no third failover").isEqualTo(2);
    assertThat(w.status.primary()).isEqualTo(primary);
    assertThat(w.last().phase()).isEqualTo(Phase.Degraded);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("FailoverLoop");
    assertThat(w.condition(ConditionType.Degraded).message())
        .contains("2 failovers within 600 s", "epoch 2", "epoch 3", "kubectl ou resume db");
    assertThat(w.eventsSince(mark))
        .contains(EventReason.FailoverLoop)
        .doesNotContain(EventReason.FailoverStarted);

    w.policy = w.policy.withRequests(new Requests(null, null, null, null, "2026-12-06T03:00:00Z"));
    w.run(Duration.ofSeconds(30));

    assertThat(w.status.answer(Requests.Kind.ResumeFailovers).state())
        .isEqualTo(RequestAnswer.State.Done);
    assertThat(w.status.failovers()).as("resumed: the held failure fails over").isEqualTo(3);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("AsExpected");
  }

  @Test
  void thePassThatAnswersTheResumptionDropsTheLoopMarkAndAsksToBeDecidedAgainAtOnce() {
    World w = unit(2, Duration.ofMinutes(10));
    crashThePrimaryAndSettle(w);
    crashThePrimaryAndSettle(w);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("FailoverLoop");

    w.policy = w.policy.withRequests(new Requests(null, null, null, null, "2026-12-06T03:00:00Z"));
    Decision answering = w.reconcile();

    assertThat(w.status.answer(Requests.Kind.ResumeFailovers).state())
        .isEqualTo(RequestAnswer.State.Done);
    assertThat(answering.conditions())
        .as("a healthy unit resumed: no pod event may follow for a minute, so this pass shows it")
        .anySatisfy(c -> {
          assertThat(c.type()).isEqualTo(ConditionType.Degraded);
          assertThat(c.status()).isFalse();
        });
    assertThat(answering.recheckAfter()).isEqualTo(Duration.ZERO);
  }

  @Test
  void failoversFurtherApartThanTheWindowNeverTripIt() {
    World w = unit(2, Duration.ofSeconds(30));
    crashThePrimaryAndSettle(w);
    w.run(Duration.ofSeconds(40));
    crashThePrimaryAndSettle(w);
    w.run(Duration.ofSeconds(40));
    crashThePrimaryAndSettle(w);
    assertThat(w.status.failovers()).isEqualTo(3);
    assertThat(w.condition(ConditionType.Degraded).reason()).isEqualTo("AsExpected");
  }

  @Test
  void theDefaultsComeFromTheBudget() {
    FailoverLoop.Limits limits = World.policy(UnitPolicy.Mode.Synchronous).loopLimits();
    assertThat(limits.maxFailovers()).isEqualTo(3);
    assertThat(limits.window())
        .as("sixty recovery budgets of 5 s")
        .isEqualTo(Duration.ofMinutes(5));
  }
}
