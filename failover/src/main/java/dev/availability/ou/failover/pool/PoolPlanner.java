package dev.availability.ou.failover.pool;

import dev.availability.ou.failover.pool.PoolAction.AddUnit;
import dev.availability.ou.failover.pool.PoolAction.DeletePod;
import dev.availability.ou.failover.pool.PoolAction.HandOver;
import dev.availability.ou.failover.pool.PoolAction.RemoveUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pool's decisions (see docs/pools.md): keep one shared standby holding every admitted unit, let a
 * pod that took a unit over keep the others' streams until the standby holds them promotably, then hand
 * it to that unit; and say whom a failed unit may be promoted to. Pure: the caller observes and executes.
 */
public final class PoolPlanner {
  private PoolPlanner() {}

  /**
   * The next actions for {@code pool}. {@code primaryNodes} maps each unit to its primary's node (where
   * known): the shared standby must not share one with any primary it protects, nor with a pod of the pool
   * that failed (its node may be lost).
   */
  public static List<PoolAction> plan(PoolView pool, Map<String, String> primaryNodes) {
    return plan(pool, primaryNodes, null);
  }

  /**
   * As {@link #plan(PoolView, Map)}, knowing the nodes a new pod could run on now ({@code placeable}; null when
   * unknown): a shared pod is made only where one can run ({@link SharedPodPlacement}).
   */
  public static List<PoolAction> plan(
      PoolView pool, Map<String, String> primaryNodes, Set<String> placeable) {
    return plan(pool, primaryNodes, placeable, Map.of());
  }

  /**
   * As {@link #plan(PoolView, Map, Set)}, knowing the pod each unit's status names as its standby ({@code
   * standbyOf}; a unit not in it is not waited for): a pod that kept a unit while the pool's standby caught up lets
   * it go only once the unit's status has moved on to the standby. Letting it go sooner cut the unit's primary from
   * the standby it still acknowledged through, and the operator from the standby it read the primary's liveness
   * from (a healthy primary was failed over in the pool drill).
   */
  public static List<PoolAction> plan(
      PoolView pool,
      Map<String, String> primaryNodes,
      Set<String> placeable,
      Map<String, String> standbyOf) {
    List<PoolAction> actions = new ArrayList<>();
    Set<String> admitted = new LinkedHashSet<>(pool.admitted());
    for (SharedPod p : pool.pods())
      if (p.failed() && !p.claimed()) actions.add(new DeletePod(p.name(), "it failed"));

    Optional<SharedPod> standby = pool.standby();
    if (standby.isEmpty()) {
      if (!admitted.isEmpty()) actions.add(SharedPodPlacement.next(pool, primaryNodes, placeable));
    } else {
      SharedPod s = standby.get();
      for (String u : admitted) if (!s.holds(u)) actions.add(new AddUnit(s.name(), u));
      for (String u : s.promotable().keySet())
        if (!admitted.contains(u)) actions.add(new RemoveUnit(s.name(), u, u + " left the pool"));
      for (SharedPod surplus : pool.pods())
        if (surplus != s
            && !surplus.failed()
            && !surplus.claimed()
            && !surplus.retiring()
            && coversPromotably(s, surplus.promotable().keySet())
            && !standbyOf.containsValue(surplus.name()))
          actions.add(
              new DeletePod(surplus.name(), "surplus: " + s.name() + " is the pool's standby"));
    }

    for (SharedPod p : pool.pods()) {
      if (!p.retiring() || p.claimed() || p.failed()) continue;
      // Replaced: each unit it holds promotably stays on it until the standby holds it promotably,
      // then
      // it goes. One that protects no unit goes at once: units applied one after another made a pod
      // per
      // join, and each kept its JVMs starting beside the next for half a minute (the pool drill, on
      // two
      // cores), delaying the very pods that were to protect the units.
      if (p.promotable().values().stream().noneMatch(Boolean::booleanValue)) {
        actions.add(new DeletePod(
            p.name(),
            "it holds no unit promotably: replaced by "
                + standby.map(SharedPod::name).orElse("a new shared pod")));
        continue;
      }
      boolean holdsAny = false;
      for (String u : p.promotable().keySet()) {
        if (!admitted.contains(u)) {
          actions.add(new RemoveUnit(p.name(), u, u + " left the pool"));
        } else if (standby.filter(s -> s.promotable(u)).isPresent() && !namedBy(standbyOf, u, p)) {
          actions.add(new RemoveUnit(
              p.name(), u, standby.get().name() + " holds " + u + " promotably now"));
        } else {
          holdsAny = true;
        }
      }
      if (!holdsAny)
        actions.add(new DeletePod(
            p.name(), "replaced by " + standby.map(SharedPod::name).orElse("a new shared pod")));
    }

    for (SharedPod p : pool.pods()) {
      if (p.claimedBy().isEmpty() || p.failed()) continue;
      String owner = p.claimedBy().get();
      boolean holdsOthers = false;
      for (String u : p.promotable().keySet()) {
        if (u.equals(owner)) continue;
        holdsOthers = true;
        if (!admitted.contains(u)) {
          actions.add(new RemoveUnit(p.name(), u, u + " left the pool"));
        } else if (standby.filter(s -> s.promotable(u)).isPresent() && !namedBy(standbyOf, u, p)) {
          actions.add(new RemoveUnit(
              p.name(), u, standby.get().name() + " holds " + u + " promotably now"));
        }
        // Otherwise it keeps u until the standby holds u promotably: u's primary streams to both
        // meanwhile and acknowledges through this pod (PoolSeat.nextStandby, make-before-break).
      }
      if (!holdsOthers) actions.add(new HandOver(p.name(), owner));
    }
    return actions;
  }

  /**
   * Whom unit {@code unit}, whose primary failed, may be promoted to: a pod holding it promotably that no
   * other unit has claimed, the pool's standby first.
   */
  public static Takeover takeover(PoolView pool, String unit) {
    Optional<SharedPod> own = pool.claimedBy(unit).filter(p -> !p.failed());
    if (own.isPresent()) return new Takeover.To(own.get().name());
    Optional<SharedPod> free = pool.pods().stream()
        .filter(p -> !p.failed() && !p.claimed() && p.promotable(unit))
        .min(Comparator.comparingInt(SharedPod::ordinal));
    if (free.isPresent()) return new Takeover.To(free.get().name());
    Optional<SharedPod> busy = pool.pods().stream()
        .filter(p -> !p.failed() && p.claimed() && p.promotable(unit))
        .findFirst();
    if (busy.isPresent())
      return new Takeover.Busy(busy.get().claimedBy().get(), busy.get().name());
    return new Takeover.NotPromotable(
        pool.pods().stream().anyMatch(p -> !p.failed() && p.holds(unit))
            ? "the pool's standby holds " + unit + " but has not caught up with it"
            : "no pod of pool " + pool.name() + " holds " + unit);
  }

  /** Whether unit {@code u}'s status still names pod {@code p} as its standby. */
  private static boolean namedBy(Map<String, String> standbyOf, String u, SharedPod p) {
    return p.name().equals(standbyOf.get(u));
  }

  private static boolean coversPromotably(SharedPod s, Collection<String> units) {
    return units.stream().allMatch(s::promotable);
  }
}
