package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PoolMemberStatus;
import dev.availability.ou.api.SharedStandbyStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbyPoolStatus;
import dev.availability.ou.failover.pool.PoolView;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pools as the units see them, pure: which units name which pool (in the order they joined), which of them
 * the pool refuses (template) or cannot hold (capacity), and the pool's status computed from that and from
 * its replicas' readings.
 */
final class PoolViews {
  private PoolViews() {}

  /** The pool a unit names, when it names one. */
  static Optional<String> poolOf(OperationalUnit unit) {
    return Optional.ofNullable(unit.getSpec())
        .map(s -> s.getStandby())
        .map(s -> s.getPool())
        .filter(p -> !p.isEmpty());
  }

  /** The pools units name, each with its units in join order; keyed by namespace then pool. */
  static Map<String, Map<String, List<OperationalUnit>>> byPool(Collection<OperationalUnit> units) {
    Map<String, Map<String, List<OperationalUnit>>> result = new LinkedHashMap<>();
    units.stream()
        .sorted(JOIN_ORDER)
        .forEach(u -> poolOf(u)
            .ifPresent(pool -> result
                .computeIfAbsent(u.getMetadata().getNamespace(), ns -> new LinkedHashMap<>())
                .computeIfAbsent(pool, p -> new ArrayList<>())
                .add(u)));
    return result;
  }

  /** The units of the pool's namespace that name it, in join order (creation time, then name). */
  static List<OperationalUnit> naming(StandbyPool pool, Collection<OperationalUnit> units) {
    String ns = pool.getMetadata().getNamespace();
    String name = pool.getMetadata().getName();
    return units.stream()
        .filter(u -> Objects.equals(ns, u.getMetadata().getNamespace()))
        .filter(u -> poolOf(u).filter(name::equals).isPresent())
        .sorted(JOIN_ORDER)
        .toList();
  }

  /** Who joined first: the first {@code maxUnits} compatible units are held (PoolView.admitted). */
  static final Comparator<OperationalUnit> JOIN_ORDER = Comparator.comparing((OperationalUnit u) ->
          Optional.ofNullable(Times.parse(u.getMetadata().getCreationTimestamp()))
              .orElse(Instant.MAX))
      .thenComparing(u -> u.getMetadata().getName());

  /** The pool's units sorted out: held, beyond capacity, refused (unit → InvalidSpec message). */
  record Membership(List<String> held, List<String> overflow, Map<String, String> refused) {
    List<String> notHeld() {
      List<String> all = new ArrayList<>(overflow);
      all.addAll(refused.keySet());
      return all;
    }
  }

  /**
   * Sorts the units naming {@code pool} (in join order): the first defines the shared pod's template; a unit
   * whose template differs is refused; of the rest the first maxUnits are held, the others overflow.
   */
  static Membership membership(StandbyPool pool, List<OperationalUnit> naming) {
    Map<String, String> refused = new LinkedHashMap<>();
    List<String> compatible = new ArrayList<>();
    OperationalUnit first = naming.isEmpty() ? null : naming.get(0);
    for (OperationalUnit u : naming) {
      Optional<String> problem = PoolCompatibility.problem(
          pool.getMetadata().getName(),
          first.getMetadata().getName(),
          first.getSpec().getTemplate(),
          u.getMetadata().getName(),
          u.getSpec().getTemplate(),
          pool.getSpec().getCompatibility());
      if (problem.isPresent()) refused.put(u.getMetadata().getName(), problem.get());
      else compatible.add(u.getMetadata().getName());
    }
    PoolView view = new PoolView(
        pool.getMetadata().getName(), pool.getSpec().maxUnits(), compatible, List.of());
    return new Membership(view.admitted(), view.overflow(), refused);
  }

  /** How the shared pod's replica of one unit reports itself. */
  record Replica(boolean inSync, Long lag) {}

  /**
   * The pool's status: its members with their replicas' readings ({@code replicas}, by unit; a unit without one
   * is not in sync), counts, the shared pod (null: none yet) and conditions Ready and Full, whose
   * lastTransitionTime is kept from {@code previous} while their status stays.
   */
  static StandbyPoolStatus status(
      StandbyPool pool,
      Membership membership,
      Map<String, Replica> replicas,
      SharedStandbyStatus standby,
      List<Condition> previous,
      Instant now) {
    return status(pool, membership, replicas, standby, null, previous, now);
  }

  /**
   * As above; {@code unplaceable}: why no node can take a new shared standby (the planner's {@code
   * StandbyUnplaceable}), or null.
   */
  static StandbyPoolStatus status(
      StandbyPool pool,
      Membership membership,
      Map<String, Replica> replicas,
      SharedStandbyStatus standby,
      String unplaceable,
      List<Condition> previous,
      Instant now) {
    List<PoolMemberStatus> members = membership.held().stream()
        .map(u -> Optional.ofNullable(replicas.get(u))
            .map(r -> new PoolMemberStatus(u, r.inSync(), r.lag()))
            .orElse(new PoolMemberStatus(u, false, null)))
        .toList();
    List<String> behind = members.stream()
        .filter(m -> !Boolean.TRUE.equals(m.getInSync()))
        .map(PoolMemberStatus::getUnit)
        .toList();
    StandbyPoolStatus s = new StandbyPoolStatus();
    s.setMembers(new ArrayList<>(members));
    s.setUnits(members.size());
    s.setInSync(members.size() - behind.size());
    s.setCapacity(pool.getSpec().maxUnits());
    s.setNotHeld(new ArrayList<>(membership.notHeld()));
    s.setStandby(standby);
    s.setObservedGeneration(pool.getMetadata().getGeneration());
    Long generation = pool.getMetadata().getGeneration();
    s.setConditions(List.of(
        ready(members, behind, standby, unplaceable, previous, generation, now),
        full(pool, membership, previous, generation, now)));
    return s;
  }

  private static Condition ready(
      List<PoolMemberStatus> members,
      List<String> behind,
      SharedStandbyStatus standby,
      String unplaceable,
      List<Condition> previous,
      Long generation,
      Instant now) {
    if (members.isEmpty())
      return condition(
          "Ready",
          false,
          "NoMembers",
          "no unit of this namespace names the pool in spec.standby.pool",
          previous,
          generation,
          now);
    if ((standby == null || standby.getPod() == null) && unplaceable != null)
      return condition(
          "Ready",
          false,
          "NoPlaceForStandby",
          "the pool has no shared standby pod and cannot make one: " + unplaceable,
          previous,
          generation,
          now);
    if (standby == null || standby.getPod() == null)
      return condition(
          "Ready",
          false,
          "NoSharedStandby",
          "the pool has no shared standby pod: its " + members.size()
              + " member(s) are not protected by it",
          previous,
          generation,
          now);
    if (!behind.isEmpty())
      return condition(
          "Ready",
          false,
          "CatchingUp",
          "the shared standby " + standby.getPod() + " does not hold in sync: "
              + String.join(", ", behind),
          previous,
          generation,
          now);
    return condition(
        "Ready",
        true,
        "AllInSync",
        "the shared standby " + standby.getPod() + " holds all " + members.size()
            + " member(s) in sync",
        previous,
        generation,
        now);
  }

  private static Condition full(
      StandbyPool pool, Membership m, List<Condition> previous, Long generation, Instant now) {
    int max = pool.getSpec().maxUnits();
    if (m.overflow().isEmpty())
      return condition(
          "Full",
          false,
          "HasRoom",
          m.held().size() + " of " + max + " places taken",
          previous,
          generation,
          now);
    return condition(
        "Full",
        true,
        "PoolFull",
        "spec.maxUnits is " + max + ": " + String.join(", ", m.overflow())
            + " keep(s) a dedicated standby; raise maxUnits (and resources.memory) to pool them",
        previous,
        generation,
        now);
  }

  static Condition condition(
      String type,
      boolean value,
      String reason,
      String message,
      List<Condition> previous,
      Long generation,
      Instant now) {
    String status = value ? "True" : "False";
    String since = Optional.ofNullable(previous).orElse(List.of()).stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(Times.format(now));
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }
}
