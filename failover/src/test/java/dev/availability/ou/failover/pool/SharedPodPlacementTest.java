package dev.availability.ou.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.pool.PoolAction.CreateSharedPod;
import dev.availability.ou.failover.pool.PoolAction.StandbyUnplaceable;
import dev.availability.ou.failover.pool.SharedPod.State;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where the pool's next shared standby goes when nodes and pods of the pool have failed (docs/pools.md). */
class SharedPodPlacementTest {
  static final List<String> UNITS = List.of("u1", "u2", "u3");
  static final Map<String, String> PRIMARY_NODES = Map.of("u1", "n1", "u2", "n2", "u3", "n3");

  static SharedPod failed(String name, String node, Optional<String> claimedBy) {
    return new SharedPod(name, node, State.Failed, claimedBy, Map.of("u1", true));
  }

  @Test
  void aFailedPodsNodeIsAvoidedWhileAnotherNodeIsLeft() {
    PoolView pool =
        new PoolView("kv", 8, UNITS, List.of(failed("kv-standby-0", "n4", Optional.empty())));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES, Set.of("n1", "n2", "n3", "n4", "n5")))
        .contains(new CreateSharedPod("kv-standby-1", UNITS, Set.of("n1", "n2", "n3", "n4")));
  }

  @Test
  void aFailedPodsNodeThatIsTheOnlyOneLeftIsNotAvoided() {
    // The benchmark's case: the pod's node is back (ready, renewing), the other free node is gone;
    // avoiding both
    // named every node and the pool made and deleted unschedulable pods.
    PoolView pool =
        new PoolView("kv", 8, UNITS, List.of(failed("kv-standby-0", "n4", Optional.of("u1"))));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES, Set.of("n1", "n2", "n3", "n4")))
        .containsExactly(new CreateSharedPod("kv-standby-1", UNITS, Set.of("n1", "n2", "n3")));
  }

  @Test
  void noNodeFreeOfThePrimariesMakesNoPodAndSaysWhy() {
    PoolView pool =
        new PoolView("kv", 8, UNITS, List.of(failed("kv-standby-0", "n4", Optional.empty())));
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES, Set.of("n1", "n2", "n3")))
        .noneMatch(a -> a instanceof CreateSharedPod)
        .filteredOn(a -> a instanceof StandbyUnplaceable)
        .singleElement()
        .satisfies(a -> assertThat(((StandbyUnplaceable) a).why())
            .contains("every node that can run a pod now (n1, n2, n3)")
            .contains("add a node, or bring a lost one back"));
  }

  @Test
  void aNodeLeftByAFailedPrimaryCountsOnlyOnceItIsPlaceableAgain() {
    // u3's primary failed with its node (n3, lost): the status still names it, and it is not
    // placeable.
    PoolView pool = new PoolView("kv", 8, UNITS, List.of());
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES, Set.of("n1", "n2")))
        .singleElement()
        .isInstanceOf(StandbyUnplaceable.class);
    assertThat(PoolPlanner.plan(pool, PRIMARY_NODES, Set.of("n1", "n2", "n4")))
        .containsExactly(new CreateSharedPod("kv-standby-0", UNITS, Set.of("n1", "n2", "n3")));
  }
}
