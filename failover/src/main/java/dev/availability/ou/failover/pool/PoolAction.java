package dev.availability.ou.failover.pool;

import java.util.List;
import java.util.Set;

/** What the pool's reconciler does next; {@link PoolPlanner} decides, the operator executes. */
public sealed interface PoolAction {

  /** Make a new shared standby holding {@code units}, off the nodes of their primaries. */
  record CreateSharedPod(String name, List<String> units, Set<String> avoidNodes)
      implements PoolAction {}

  /**
   * No node can take a new shared standby ({@link SharedPodPlacement}): say so, once, and make none until one can.
   */
  record StandbyUnplaceable(List<String> units, String why) implements PoolAction {}

  /** Add a replica of {@code unit} to {@code pod} (it catches up by snapshot, then stream). */
  record AddUnit(String pod, String unit) implements PoolAction {}

  /**
   * Drop {@code pod}'s replica of {@code unit} (and its data): the unit left the pool, or another pod
   * holds it promotably now.
   */
  record RemoveUnit(String pod, String unit, String why) implements PoolAction {}

  /**
   * {@code pod}, which took {@code unit} over, holds nothing else now: it becomes the unit's own member
   * and leaves the pool.
   */
  record HandOver(String pod, String unit) implements PoolAction {}

  /** Delete a failed or surplus pod no unit has claimed. */
  record DeletePod(String pod, String why) implements PoolAction {}
}
