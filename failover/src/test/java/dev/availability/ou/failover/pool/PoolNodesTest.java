package dev.availability.ou.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.NodeView.Ready;
import dev.availability.ou.failover.pool.PoolAction.CreateSharedPod;
import dev.availability.ou.failover.pool.PoolAction.DeletePod;
import dev.availability.ou.failover.pool.SharedPod.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolNodesTest {
  static final Instant T = Instant.parse("2026-12-07T00:00:00Z");
  static final Duration LEASE =
      Duration.ofSeconds(40); // stale 15 s, expired 40 s after the last renewal seen
  static final Map<String, Boolean> ALL_IN_SYNC = Map.of("u1", true, "u2", true, "u3", true);

  static NodeView node(String name, Ready ready, Instant renewed) {
    return new NodeView(name, ready, T.minusSeconds(600), renewed, LEASE, T);
  }

  static SharedPod shared(String node) {
    return new SharedPod("kv-standby-0", node, State.Running, Optional.empty(), ALL_IN_SYNC);
  }

  @Test
  void aSharedPodOnANotReadyNodeCountsFailedAndIsReplacedElsewhereWithNoTakeoverOntoIt() {
    Map<String, NodeView> nodes = Map.of("n4", node("n4", Ready.False, T));
    SharedPod judged = PoolNodes.judge(shared("n4"), nodes, T);
    assertThat(judged.failed()).isTrue();
    PoolView pool = new PoolView("kv", 8, List.of("u1", "u2", "u3"), List.of(judged));
    assertThat(PoolPlanner.plan(pool, Map.of("u1", "n1", "u2", "n2", "u3", "n3")))
        .as("deleted, and the new one made off the lost node and the primaries' nodes")
        .containsExactly(
            new DeletePod("kv-standby-0", "it failed"),
            new CreateSharedPod(
                "kv-standby-1", List.of("u1", "u2", "u3"), Set.of("n1", "n2", "n3", "n4")));
    assertThat(PoolPlanner.takeover(pool, "u2"))
        .as("u2's primary failing now is not promoted onto the pod of a lost node")
        .isInstanceOf(Takeover.NotPromotable.class);
  }

  /**
   * A stale lease alone is one weak signal (a loaded kubelet late by seconds): the pool keeps its in-sync shared pod
   * until the lease has expired.
   */
  @Test
  void aSharedPodWhoseNodesLeaseIsStaleCountsFailedOnlyOnceItHasExpired() {
    Instant renewed = T.minusSeconds(20);
    Map<String, NodeView> nodes = Map.of("n4", node("n4", Ready.True, renewed));
    assertThat(PoolNodes.judge(shared("n4"), nodes, renewed.plusSeconds(15).plusMillis(1))
            .failed())
        .as("stale (3/8 of the lease) but not expired: kept")
        .isFalse();
    assertThat(PoolNodes.judge(shared("n4"), nodes, renewed.plus(LEASE)).failed())
        .as("at the expiry itself, not yet")
        .isFalse();
    assertThat(PoolNodes.judge(shared("n4"), nodes, renewed.plus(LEASE).plusMillis(1))
            .failed())
        .isTrue();
  }

  @Test
  void aHealthyNodeAnUnknownOneWhoseKubeletStillRenewsAndAnUnseenOneLeaveThePodAsItIs() {
    SharedPod pod = shared("n4");
    assertThat(PoolNodes.judge(pod, Map.of("n4", node("n4", Ready.True, T)), T)).isEqualTo(pod);
    assertThat(PoolNodes.judge(pod, Map.of("n4", node("n4", Ready.Unknown, T.minusSeconds(5))), T))
        .as("Unknown after an API server outage, the kubelet's renewals still arriving")
        .isEqualTo(pod);
    assertThat(PoolNodes.judge(pod, Map.of(), T))
        .as("a node not seen says nothing")
        .isEqualTo(pod);
    assertThat(PoolNodes.judge(shared(null), Map.of("n4", node("n4", Ready.False, T)), T))
        .as("an unscheduled pod has no node to lose")
        .isEqualTo(shared(null));
  }

  @Test
  void thePoolLooksAgainWhenTheFirstLiveNodesLeaseExpires() {
    Map<String, NodeView> nodes = Map.of(
        "n4", node("n4", Ready.True, T.minusSeconds(5)),
        "n5", node("n5", Ready.True, T.minusSeconds(10)),
        "n6", node("n6", Ready.False, T.minusSeconds(60)));
    assertThat(PoolNodes.nextLeaseExpiry(nodes.values(), T)).contains(T.plusSeconds(30));
  }
}
