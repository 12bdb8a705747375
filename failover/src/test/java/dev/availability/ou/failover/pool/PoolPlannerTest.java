package dev.availability.ou.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.pool.PoolAction.AddUnit;
import dev.availability.ou.failover.pool.PoolAction.CreateSharedPod;
import dev.availability.ou.failover.pool.PoolAction.DeletePod;
import dev.availability.ou.failover.pool.PoolAction.HandOver;
import dev.availability.ou.failover.pool.PoolAction.RemoveUnit;
import dev.availability.ou.failover.pool.SharedPod.State;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolPlannerTest {
  static final List<String> UNITS = List.of("u1", "u2", "u3");
  static final Map<String, String> PRIMARY_NODES = Map.of("u1", "n1", "u2", "n2", "u3", "n3");

  static SharedPod standby(String name, Map<String, Boolean> promotable) {
    return new SharedPod(name, "n4", State.Running, Optional.empty(), promotable);
  }

  static SharedPod claimed(String name, String unit, Map<String, Boolean> promotable) {
    return new SharedPod(name, "n4", State.Running, Optional.of(unit), promotable);
  }

  /** Pool kv of capacity 8 admitting {@link #UNITS}, with {@code pods}. */
  static PoolView kv(SharedPod... pods) {
    return new PoolView("kv", 8, UNITS, List.of(pods));
  }

  static final Map<String, Boolean> ALL_IN_SYNC = Map.of("u1", true, "u2", true, "u3", true);

  @Test
  void aPoolWithoutPodsMakesOneHoldingEveryUnitOffTheirPrimariesNodes() {
    PoolView pool = new PoolView("kv", 8, UNITS, List.of());
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES))
        .containsExactly(
            new CreateSharedPod("kv-standby-0", UNITS, java.util.Set.of("n1", "n2", "n3")));
  }

  @Test
  void unitsBeyondCapacityAreNotHeldAndAreReportedAsOverflow() {
    PoolView pool = new PoolView("kv", 2, UNITS, List.of());
    assertThat(pool.overflow()).containsExactly("u3");
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES))
        .singleElement()
        .isInstanceOfSatisfying(
            CreateSharedPod.class, c -> assertThat(c.units()).containsExactly("u1", "u2"));
  }

  @Test
  void aWholePoolNeedsNothing() {
    PoolView pool = new PoolView("kv", 8, UNITS, List.of(standby("kv-standby-0", ALL_IN_SYNC)));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES)).isEmpty();
  }

  @Test
  void aRetiringPodIsReplacedMakeBeforeBreakEachUnitLeavingItOnceTheNewStandbyHoldsItPromotably() {
    // kv-standby-0 was made before u3 joined: it cannot hold u3 (no key), so the pool replaces it.
    SharedPod old = new SharedPod(
        "kv-standby-0",
        "n4",
        State.Running,
        Optional.empty(),
        Map.of("u1", true, "u2", true),
        true);
    PoolView none = new PoolView("kv", 8, UNITS, List.of(old));
    assertThat(none.standby()).isEmpty();
    assertThat(PoolPlanner.plan(none, PRIMARY_NODES))
        .containsExactly(
            new CreateSharedPod("kv-standby-1", UNITS, java.util.Set.of("n1", "n2", "n3")));

    SharedPod catchingUp = standby("kv-standby-1", Map.of("u1", true, "u2", false, "u3", false));
    assertThat(
            PoolPlanner.plan(new PoolView("kv", 8, UNITS, List.of(old, catchingUp)), PRIMARY_NODES))
        .containsExactly(
            new RemoveUnit("kv-standby-0", "u1", "kv-standby-1 holds u1 promotably now"));
    assertThat(PoolPlanner.takeover(new PoolView("kv", 8, UNITS, List.of(old, catchingUp)), "u2"))
        .isEqualTo(new Takeover.To("kv-standby-0"));

    SharedPod emptied =
        new SharedPod("kv-standby-0", "n4", State.Running, Optional.empty(), Map.of(), true);
    assertThat(PoolPlanner.plan(
            new PoolView("kv", 8, UNITS, List.of(emptied, standby("kv-standby-1", ALL_IN_SYNC))),
            PRIMARY_NODES))
        .containsExactly(
            new DeletePod("kv-standby-0", "it holds no unit promotably: replaced by kv-standby-1"));
  }

  /**
   * The pool drill: units applied together, the pool saw u1 first and made a pod for it, then one for all three; the
   * first kept its JVMs starting for half a minute beside the pods that were to protect the units. A replaced pod that
   * holds no unit promotably protects nothing: it goes at once.
   */
  @Test
  void aReplacedPodThatHoldsNoUnitPromotablyGoesAtOnce() {
    SharedPod starting = new SharedPod(
        "kv-standby-0", null, State.Starting, Optional.empty(), Map.of("u1", false), true);
    assertThat(PoolPlanner.plan(new PoolView("kv", 8, UNITS, List.of(starting)), PRIMARY_NODES))
        .containsExactlyInAnyOrder(
            new CreateSharedPod("kv-standby-1", UNITS, java.util.Set.of("n1", "n2", "n3")),
            new DeletePod(
                "kv-standby-0", "it holds no unit promotably: replaced by a new shared pod"));

    SharedPod catchingUp = new SharedPod(
        "kv-standby-0",
        "n4",
        State.Running,
        Optional.empty(),
        Map.of("u1", false, "u2", true),
        true);
    assertThat(PoolPlanner.plan(
            new PoolView("kv", 8, UNITS, List.of(catchingUp, standby("kv-standby-1", Map.of()))),
            PRIMARY_NODES))
        .as("one unit held promotably: it stays, make-before-break")
        .noneMatch(a -> a instanceof DeletePod);
  }

  @Test
  void aUnitThatJoinsIsAddedAndOneThatLeftIsRemoved() {
    PoolView pool = new PoolView(
        "kv", 8, List.of("u1", "u2", "u4"), List.of(standby("kv-standby-0", ALL_IN_SYNC)));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES))
        .containsExactlyInAnyOrder(
            new AddUnit("kv-standby-0", "u4"),
            new RemoveUnit("kv-standby-0", "u3", "u3 left the pool"));
  }

  @Test
  void aFailedStandbyIsReplacedAndDeleted() {
    SharedPod failed =
        new SharedPod("kv-standby-0", "n4", State.Failed, Optional.empty(), ALL_IN_SYNC);
    PoolView pool = new PoolView("kv", 8, UNITS, List.of(failed));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES))
        .containsExactly(
            new DeletePod("kv-standby-0", "it failed"),
            new CreateSharedPod("kv-standby-1", UNITS, java.util.Set.of("n1", "n2", "n3", "n4")));
  }

  @Test
  void unitTwoTakesTheSharedPodOverAndThePoolMakesANewOne() {
    PoolView pool = new PoolView("kv", 8, UNITS, List.of(standby("kv-standby-0", ALL_IN_SYNC)));
    assertThat(PoolPlanner.takeover(pool, "u2")).isEqualTo(new Takeover.To("kv-standby-0"));

    PoolView taken =
        new PoolView("kv", 8, UNITS, List.of(claimed("kv-standby-0", "u2", ALL_IN_SYNC)));
    assertThat(PoolPlanner.plan(taken, Map.of("u1", "n1", "u2", "n4", "u3", "n3")))
        .as("the taken pod keeps u1 and u3 until another holds them")
        .containsExactly(
            new CreateSharedPod("kv-standby-1", UNITS, java.util.Set.of("n1", "n4", "n3")));
    assertThat(PoolPlanner.plan(taken, Map.of("u1", "n1", "u2", "n2", "u3", "n3")))
        .as("off the taken pod's node, not u2's failed primary's that its status still names")
        .containsExactly(
            new CreateSharedPod("kv-standby-1", UNITS, java.util.Set.of("n1", "n3", "n4")));
  }

  /**
   * Make-before-break: the taken pod keeps each other unit until the new standby holds it promotably, also once the
   * new one runs (the unit's primary streams to both meanwhile, acknowledging through the taken pod: PoolSeat's
   * nextStandby), then drops it.
   */
  @Test
  void theTakenPodKeepsEachUnitUntilTheNewStandbyHoldsItPromotably() {
    PoolView starting = new PoolView(
        "kv",
        8,
        UNITS,
        List.of(
            claimed("kv-standby-0", "u2", ALL_IN_SYNC),
            new SharedPod(
                "kv-standby-1",
                "n5",
                State.Starting,
                Optional.empty(),
                Map.of("u1", true, "u2", false, "u3", false))));
    assertThat(PoolPlanner.plan(starting, PRIMARY_NODES))
        .containsExactly(
            new RemoveUnit("kv-standby-0", "u1", "kv-standby-1 holds u1 promotably now"));

    PoolView catchingUp = new PoolView(
        "kv",
        8,
        UNITS,
        List.of(
            claimed("kv-standby-0", "u2", ALL_IN_SYNC),
            standby("kv-standby-1", Map.of("u1", true, "u2", false, "u3", false))));
    assertThat(PoolPlanner.plan(catchingUp, PRIMARY_NODES))
        .as("u3 stays on the taken pod while the running new standby catches up with it")
        .containsExactly(
            new RemoveUnit("kv-standby-0", "u1", "kv-standby-1 holds u1 promotably now"));
    assertThat(PoolSeat.of(catchingUp, "u3"))
        .extracting(PoolSeat::standby, PoolSeat::nextStandby)
        .as("u3's primary: peer the taken pod, next peer the new standby")
        .containsExactly("kv-standby-0", "kv-standby-1");
    assertThat(PoolSeat.of(catchingUp, "u1"))
        .extracting(PoolSeat::standby, PoolSeat::nextStandby)
        .containsExactly("kv-standby-1", null);
    assertThat(PoolSeat.of(catchingUp, "u2"))
        .extracting(PoolSeat::standby, PoolSeat::nextStandby)
        .as("the unit that took the pod over: its standby is the new one alone")
        .containsExactly("kv-standby-1", null);

    PoolView caughtUp = new PoolView(
        "kv",
        8,
        UNITS,
        List.of(
            claimed("kv-standby-0", "u2", Map.of("u2", true)),
            standby("kv-standby-1", ALL_IN_SYNC)));
    assertThat(PoolPlanner.plan(caughtUp, PRIMARY_NODES))
        .containsExactly(new HandOver("kv-standby-0", "u2"));
  }

  /**
   * Make-before-break ends with the unit, not with the pool: the pod that kept a unit lets it go only once the
   * unit's status names the new standby (its primary then acknowledges through the new one and the operator reads
   * the primary's liveness there). Letting it go when the new standby merely held it in sync failed over a healthy
   * primary in the pool drill.
   */
  @Test
  void aKeptUnitLeavesTheOldPodOnlyOnceItsStatusNamesTheNewStandby() {
    PoolView caughtUp = kv(
        claimed("kv-standby-0", "u2", ALL_IN_SYNC),
        standby("kv-standby-1", Map.of("u1", true, "u2", true, "u3", false)));
    assertThat(PoolPlanner.plan(
            caughtUp,
            PRIMARY_NODES,
            null,
            Map.of("u1", "kv-standby-0", "u2", "kv-standby-1", "u3", "kv-standby-0")))
        .as(
            "u1 in sync on the new standby, its status not moved on yet: kept; u3 still catching up")
        .isEmpty();
    assertThat(PoolPlanner.plan(
            caughtUp,
            PRIMARY_NODES,
            null,
            Map.of("u1", "kv-standby-1", "u2", "kv-standby-1", "u3", "kv-standby-0")))
        .containsExactly(
            new RemoveUnit("kv-standby-0", "u1", "kv-standby-1 holds u1 promotably now"));

    PoolView retiring = kv(
        new SharedPod("kv-standby-0", "n4", State.Running, Optional.empty(), ALL_IN_SYNC, true),
        standby("kv-standby-1", ALL_IN_SYNC));
    assertThat(PoolPlanner.plan(
            retiring, PRIMARY_NODES, null, Map.of("u1", "kv-standby-1", "u2", "kv-standby-0")))
        .as("a retiring pod the same way: u2's status still names it")
        .containsExactlyInAnyOrder(
            new RemoveUnit("kv-standby-0", "u1", "kv-standby-1 holds u1 promotably now"),
            new RemoveUnit("kv-standby-0", "u3", "kv-standby-1 holds u3 promotably now"));

    PoolView surplus =
        kv(standby("kv-standby-0", ALL_IN_SYNC), standby("kv-standby-1", ALL_IN_SYNC));
    assertThat(PoolPlanner.plan(surplus, PRIMARY_NODES, null, Map.of("u1", "kv-standby-1")))
        .as("a surplus pod a unit's status still names")
        .isEmpty();
    assertThat(PoolPlanner.plan(surplus, PRIMARY_NODES, null, Map.of("u1", "kv-standby-0")))
        .containsExactly(
            new DeletePod("kv-standby-1", "surplus: kv-standby-0 is the pool's standby"));
  }

  @Test
  void aSecondFailureWhileTheSharedPodServesAnotherUnitIsBusyNotPromoted() {
    PoolView pool = new PoolView(
        "kv",
        8,
        UNITS,
        List.of(
            claimed("kv-standby-0", "u2", ALL_IN_SYNC),
            standby("kv-standby-1", Map.of("u1", false, "u2", false, "u3", false))));
    assertThat(PoolPlanner.takeover(pool, "u1")).isEqualTo(new Takeover.Busy("u2", "kv-standby-0"));
  }

  @Test
  void aSecondFailureTakesTheNewStandbyOnceItHoldsThatUnitPromotably() {
    PoolView pool = new PoolView(
        "kv",
        8,
        UNITS,
        List.of(
            claimed("kv-standby-0", "u2", ALL_IN_SYNC),
            standby("kv-standby-1", Map.of("u1", true, "u2", false, "u3", false))));
    assertThat(PoolPlanner.takeover(pool, "u1")).isEqualTo(new Takeover.To("kv-standby-1"));
  }

  @Test
  void aStandbyStillCatchingUpIsNotPromoted() {
    PoolView pool = new PoolView(
        "kv", 8, UNITS, List.of(standby("kv-standby-1", Map.of("u1", false, "u2", true))));
    assertThat(PoolPlanner.takeover(pool, "u1"))
        .isInstanceOfSatisfying(
            Takeover.NotPromotable.class, n -> assertThat(n.why()).contains("not caught up"));
    assertThat(PoolPlanner.takeover(pool, "u3"))
        .isInstanceOfSatisfying(
            Takeover.NotPromotable.class,
            n -> assertThat(n.why()).contains("no pod of pool kv holds u3"));
  }

  @Test
  void aSurplusStandbyIsDeletedOnlyWhenTheStandbyCoversItPromotably() {
    SharedPod first = standby("kv-standby-0", Map.of("u1", true, "u2", false, "u3", true));
    SharedPod surplus = standby("kv-standby-1", ALL_IN_SYNC);
    assertThat(
            PoolPlanner.plan(new PoolView("kv", 8, UNITS, List.of(first, surplus)), PRIMARY_NODES))
        .isEmpty();
    SharedPod whole = standby("kv-standby-0", ALL_IN_SYNC);
    assertThat(
            PoolPlanner.plan(new PoolView("kv", 8, UNITS, List.of(whole, surplus)), PRIMARY_NODES))
        .containsExactly(
            new DeletePod("kv-standby-1", "surplus: kv-standby-0 is the pool's standby"));
  }
}
