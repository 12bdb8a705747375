package dev.availability.ou.failover.pool;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pooled unit's place in its standby pool (docs/pools.md), as its own reconciler sees it; a unit with a
 * standby of its own has none.
 *
 * @param pool the pool's name
 * @param admitted within the pool's capacity: the shared standby holds it (otherwise it keeps a dedicated
 *     standby, {@code PoolFull})
 * @param standby the pool's standby pod when it holds this unit, else null (none yet, or not added yet)
 * @param pods every pod of the pool: never the unit's to delete or replace, unless it claimed one
 * @param claims the pool's pods a unit has taken over, to that unit
 */
public record PoolSeat(
    String pool, boolean admitted, String standby, Set<String> pods, Map<String, String> claims) {

  public PoolSeat {
    pods = Set.copyOf(pods);
    claims = Map.copyOf(claims);
  }

  /** The seat of {@code unit} in {@code view}. */
  public static PoolSeat of(PoolView view, String unit) {
    Map<String, String> claims = new java.util.HashMap<>();
    for (SharedPod p : view.pods()) p.claimedBy().ifPresent(u -> claims.put(p.name(), u));
    return new PoolSeat(
        view.name(),
        view.admitted().contains(unit),
        view.standby().filter(s -> s.holds(unit)).map(SharedPod::name).orElse(null),
        view.pods().stream().map(SharedPod::name).collect(java.util.stream.Collectors.toSet()),
        claims);
  }

  /** The unit that has taken pod {@code pod} over, when it is another than {@code unit}. */
  public Optional<String> claimedByOther(String pod, String unit) {
    return Optional.ofNullable(claims.get(pod)).filter(u -> !u.equals(unit));
  }

  /** A pod of the pool the unit must leave to the pool: every pool pod but one it has claimed. */
  public boolean poolsPod(String pod, String unit) {
    return pods.contains(pod) && !unit.equals(claims.get(pod));
  }
}
