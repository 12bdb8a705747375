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
 * @param standby the pod that is this unit's standby: the pool's standby when it holds this unit, unless it has not
 *     caught up with it while another pod of the pool (one that took another unit over, or a retiring one) holds it
 *     promotably: that one stays its standby meanwhile (make-before-break); null when none holds it
 * @param pods every pod of the pool: never the unit's to delete or replace, unless it claimed one
 * @param claims the pool's pods a unit has taken over, to that unit
 * @param nextStandby the pool's standby while it catches up with this unit and {@code standby} is another pod that
 *     holds it promotably: the unit's primary streams to both (docs/replication.md, make-before-break); else null
 */
public record PoolSeat(
    String pool,
    boolean admitted,
    String standby,
    Set<String> pods,
    Map<String, String> claims,
    String nextStandby) {

  public PoolSeat {
    pods = Set.copyOf(pods);
    claims = Map.copyOf(claims);
  }

  /** A seat with no next standby. */
  public PoolSeat(
      String pool, boolean admitted, String standby, Set<String> pods, Map<String, String> claims) {
    this(pool, admitted, standby, pods, claims, null);
  }

  /** The seat of {@code unit} in {@code view}. */
  public static PoolSeat of(PoolView view, String unit) {
    Map<String, String> claims = new java.util.HashMap<>();
    for (SharedPod p : view.pods()) p.claimedBy().ifPresent(u -> claims.put(p.name(), u));
    Optional<SharedPod> standby = view.standby();
    String standbyName = standby.filter(s -> s.holds(unit)).map(SharedPod::name).orElse(null);
    String next = null;
    if (standby.filter(s -> s.promotable(unit)).isEmpty()) {
      // Make-before-break: a pod that still holds the unit promotably stays its standby until the
      // pool's standby caught up; its primary streams to both meanwhile.
      Optional<SharedPod> keeping = view.pods().stream()
          .filter(p -> standby.filter(p::equals).isEmpty())
          .filter(p -> !p.failed() && p.promotable(unit))
          .filter(p -> p.claimedBy().filter(unit::equals).isEmpty())
          .min(java.util.Comparator.comparingInt(SharedPod::ordinal));
      if (keeping.isPresent()) {
        next = standbyName;
        standbyName = keeping.get().name();
      }
    }
    return new PoolSeat(
        view.name(),
        view.admitted().contains(unit),
        standbyName,
        view.pods().stream().map(SharedPod::name).collect(java.util.stream.Collectors.toSet()),
        claims,
        next);
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
