package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bench/drill's fault operator-killed-mid-failover when the target fails too: the primary's app container restarts,
 * a failover starts, the operator is killed, the target's app container crashes while no operator runs, and the new
 * operator aborts the failover. The unit recovers on the former primary, whose restart moved nobody: Protected again
 * with no failover counted. (In the drill of namespace drill-bench-sync-1zem the operator's log shows exactly these
 * decisions, FailoverAborted, FailoverBlocked, then a steady step, PeerUnreachable, and silence after; the drill gave
 * up after 6 minutes because it waited for one more failover, which an aborted failover never counts.)
 */
class InterruptedFailoverTest {
  private static final Duration OPERATOR_AWAY = Duration.ofSeconds(25);

  @Test
  void
      aFailoverWhoseTargetCrashedWhileNoOperatorRanEndsProtectedOnTheFormerPrimaryWithNoFailover() {
    World w = World.threeNodes().bootstrap();
    w.appRestarted("db-0");
    assertThat(emitted(w.reconcile()))
        .containsExactly(
            "FailoverStarted: primary db-0 failed: application container of db-0 restarted (1 restarts); promoting standby db-1 at epoch 2");
    // The operator is killed once the intent is written, before it acts; while none runs, db-1's
    // app container crashes.
    away(w, () -> w.appTerminated("db-1"));
    int mark = w.mark();

    Decision aborted = w.reconcile();
    Decision blocked = w.reconcile();

    assertThat(emitted(aborted))
        .containsExactly(
            "FailoverAborted: failover to db-1 aborted before traffic moved: application container of standby db-1 crashed");
    assertThat(aborted.state().epoch())
        .as("nothing was sent at epoch 2: it is not spent")
        .isEqualTo(1);
    assertThat(emitted(blocked))
        .containsExactly(
            "FailoverBlocked: primary db-0 failed: application container of db-0 restarted (1 restarts);"
                + " no healthy standby to promote: application container of standby db-1 crashed");
    assertThat(blocked.state().primaryRestartBaseline())
        .as("the restart that moved nobody is reported once")
        .isEqualTo(1);

    // The kubelet starts db-1's app again; on the loaded machine db-1 hears nothing of db-0 for a
    // moment.
    w.appRecovers("db-1");
    w.podNetworkSplit = true;
    w.run(w.thresholds().peerLostAfter().plus(World.TICK.multipliedBy(3)));
    w.podNetworkSplit = false;
    w.runUntilProtectedAt(1, Duration.ofSeconds(10));
    int protectedAt = w.mark();
    w.run(Duration.ofSeconds(30));

    assertThat(w.eventsSince(mark))
        .containsExactly(
            EventReason.FailoverAborted, EventReason.FailoverBlocked, EventReason.PeerUnreachable);
    assertThat(w.phasesSince(protectedAt)).containsExactly(Phase.Protected);
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.status.failovers()).as("an aborted failover counts as none").isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.promotions).isEmpty();
  }

  @Test
  void
      withThePromotionSentBeforeTheKillTheFormerPrimaryServesAgainAtTheNextEpochWithTheStandbyThatTookThePromotion() {
    World w = World.threeNodes().bootstrap();
    w.appRestarted("db-0");
    w.reconcile(); // the intent
    Decision promotion =
        w.reconcile(); // lease, deposition and promotion sent at epoch 2; then the operator is
    // killed
    assertThat(promotion.actions())
        .as("only its application crashed: db-0 is deposed as the standby db-1 streams to at once")
        .contains(
            new Assign("db-0", Role.Standby, 2, "db-1"),
            new Assign("db-1", Role.Primary, 2, "db-0"));
    away(w, () -> w.appTerminated("db-1"));
    assertThat(w.pod("db-1").reportRole)
        .as("db-1 took the promotion before its app crashed")
        .isEqualTo(Role.Primary);
    assertThat(w.pod("db-0").reportRole)
        .as("db-0 is deposed: a standby at epoch 2, it acknowledges nothing")
        .isEqualTo(Role.Standby);
    int mark = w.mark();

    Decision aborted = w.reconcile();
    Decision blocked = w.reconcile();

    assertThat(aborted.state().epoch()).as("epoch 2 was sent: it is spent").isEqualTo(3);
    assertThat(aborted.actions()).contains(new Assign("db-1", Role.Standby, 3, "db-0"));
    assertThat(blocked.phase()).isEqualTo(Phase.Degraded);
    assertThat(blocked.actions())
        .as("the former primary, deposed at epoch 2, is the primary again at epoch 3")
        .contains(
            new Assign("db-0", Role.Primary, 3, "db-1"),
            new HoldLease("db-0", 3, w.thresholds().leaseDuration()));
    assertThat(w.pod("db-0").role).isEqualTo(Role.Primary);

    // db-0 serves again at epoch 3 at once: db-1's sidecar (its app down) streams from it and
    // confirms it (in Synchronous mode that is what a primary serves on). db-1 runs again: the unit
    // is whole, with no second failover.
    w.appRecovers("db-1");
    w.runUntilProtectedAt(3, Duration.ofSeconds(10));

    assertThat(w.eventsSince(mark))
        .containsSubsequence(EventReason.FailoverAborted, EventReason.FailoverBlocked)
        .doesNotContain(EventReason.FailoverStarted, EventReason.StandbyReplaced);
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.status.standby()).isEqualTo("db-1");
    assertThat(w.status.failovers()).isZero();
    assertThat(w.selector).isEqualTo("db-0");
    assertThat(w.lostAtPromotion).as("acknowledged updates lost").allMatch(lost -> lost == 0);
  }

  /** No operator for {@link #OPERATOR_AWAY} (a new process starting on a loaded machine); {@code meanwhile} happens 5 s before the end. */
  private static void away(World w, Runnable meanwhile) {
    java.time.Instant back = w.now.plus(OPERATOR_AWAY);
    java.time.Instant fault = back.minusSeconds(5);
    while (w.now.isBefore(fault)) w.tick();
    meanwhile.run();
    while (w.now.isBefore(back)) w.tick();
  }

  private static List<String> emitted(Decision d) {
    return d.actions().stream()
        .filter(a -> a instanceof Emit)
        .map(a -> ((Emit) a).reason() + ": " + ((Emit) a).message())
        .toList();
  }
}
