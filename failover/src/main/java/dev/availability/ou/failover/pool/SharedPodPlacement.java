package dev.availability.ou.failover.pool;

import dev.availability.ou.failover.pool.PoolAction.CreateSharedPod;
import dev.availability.ou.failover.pool.PoolAction.StandbyUnplaceable;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the pool's next shared standby may go (docs/pools.md "Failures of the pool itself"): never on the node of a
 * primary it protects; preferably not on a node where a pod of the pool failed (that node may be lost), but only while
 * another node is left. When every node that can run a pod holds a primary of the pool, no pod is made: one that
 * cannot be scheduled protects nothing, and making and replacing such pods was a loop (seen in the pool benchmark:
 * over 100 pods whose avoided nodes named every node). Pure.
 */
final class SharedPodPlacement {
  private SharedPodPlacement() {}

  /**
   * A new shared pod, or why there is no place for one. {@code placeable}: the nodes a pod could run on now (ready,
   * lease renewed, not being emptied); null when unknown (then every node to avoid is avoided).
   */
  static PoolAction next(PoolView pool, Map<String, String> primaryNodes, Set<String> placeable) {
    Set<String> primaries = primaries(pool, primaryNodes);
    Set<String> failed = new LinkedHashSet<>();
    for (SharedPod p : pool.pods()) if (p.failed() && p.node() != null) failed.add(p.node());
    failed.removeAll(primaries);
    Set<String> avoid = new TreeSet<>(primaries);
    if (placeable == null) {
      avoid.addAll(failed);
      return new CreateSharedPod(pool.nextPodName(), pool.admitted(), Set.copyOf(avoid));
    }
    Set<String> room = new TreeSet<>(placeable);
    room.removeAll(primaries);
    if (room.isEmpty())
      return new StandbyUnplaceable(
          pool.admitted(),
          "every node that can run a pod now (" + String.join(", ", new TreeSet<>(placeable))
              + ") runs a primary the shared standby protects (" + String.join(", ", primaries)
              + "): no shared standby is made until a node without one is ready (add a node, or bring a"
              + " lost one back)");
    room.removeAll(failed);
    if (!room.isEmpty()) avoid.addAll(failed);
    return new CreateSharedPod(pool.nextPodName(), pool.admitted(), Set.copyOf(avoid));
  }

  /** The nodes serving the pool's admitted units: a pod a unit claimed, else its primary's node as its status says. */
  private static Set<String> primaries(PoolView pool, Map<String, String> primaryNodes) {
    // A unit that claimed a pod is served there, though its status may still name its failed
    // primary's node (seen on real pods: the new shared pod made beside the pod that had just taken
    // a unit over; with the stale node avoided too, a 4-node cluster had no node left).
    Map<String, String> served = new HashMap<>();
    for (SharedPod p : pool.pods())
      if (p.claimed() && !p.failed() && p.node() != null)
        served.put(p.claimedBy().get(), p.node());
    Set<String> nodes = new TreeSet<>();
    for (String u : pool.admitted()) {
      String node = served.containsKey(u) ? served.get(u) : primaryNodes.get(u);
      if (node != null) nodes.add(node);
    }
    return nodes;
  }
}
