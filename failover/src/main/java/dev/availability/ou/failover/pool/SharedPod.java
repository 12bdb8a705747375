package dev.availability.ou.failover.pool;

import java.util.Map;
import java.util.Optional;

/**
 * A pod of a standby pool as the operator sees it.
 *
 * @param name the pod's name ({@code <pool>-standby-<n>}: {@code n} orders the pool's pods by creation)
 * @param node where it runs, or null while unscheduled
 * @param state starting (made, not yet running), running, or failed (its pod or node lost, being deleted)
 * @param claimedBy the unit it has taken over (it serves that unit as primary), or empty while it is the
 *     pool's standby
 * @param promotable per unit it holds, whether its replica could be promoted now (in sync in Synchronous
 *     and Journal mode, within the lag allowed in Asynchronous); a unit it holds but has not caught up is
 *     present with {@code false}
 * @param retiring it cannot hold every unit the pool admits (a running pod's volumes are fixed: a unit that joined
 *     after it was made has no peer key in it), so the pool replaces it: it keeps its units until the pool's new
 *     standby holds them promotably, then goes
 */
public record SharedPod(
    String name,
    String node,
    State state,
    Optional<String> claimedBy,
    Map<String, Boolean> promotable,
    boolean retiring) {

  public SharedPod {
    promotable = Map.copyOf(promotable);
  }

  /** A pod that can hold every unit the pool admits. */
  public SharedPod(
      String name,
      String node,
      State state,
      Optional<String> claimedBy,
      Map<String, Boolean> promotable) {
    this(name, node, state, claimedBy, promotable, false);
  }

  public enum State {
    Starting,
    Running,
    Failed
  }

  public boolean failed() {
    return state == State.Failed;
  }

  public boolean holds(String unit) {
    return promotable.containsKey(unit);
  }

  public boolean promotable(String unit) {
    return Boolean.TRUE.equals(promotable.get(unit));
  }

  public boolean claimed() {
    return claimedBy.isPresent();
  }

  /** Its ordinal, the {@code n} of {@code <pool>-standby-<n>}: the order the pool made its pods in. */
  public int ordinal() {
    int dash = name.lastIndexOf('-');
    try {
      return Integer.parseInt(name.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
