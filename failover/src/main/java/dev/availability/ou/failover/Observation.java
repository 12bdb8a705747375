package dev.availability.ou.failover;

import dev.availability.ou.failover.pool.PoolSeat;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the availability manager knows about one unit at one instant: what the spec asks, what the
 * status remembers, what the pods, nodes, lease and sidecar reports say. Built by the operator from its
 * informer caches; the decider never looks anywhere else.
 *
 * @param shownTrue the conditions the status shows True now: what the unit's readers were last told, so that an
 *     event says when a condition starts rather than at every decision
 * @param pool the unit's seat in its standby pool, or null when it has a standby of its own
 */
public record Observation(
    UnitPolicy policy,
    UnitState state,
    Map<String, Member> members,
    Map<String, NodeView> nodes,
    PrimaryLease lease,
    ServiceView service,
    Instant now,
    Set<ConditionType> shownTrue,
    PoolSeat pool) {

  public Observation {
    shownTrue = shownTrue == null ? Set.of() : Set.copyOf(shownTrue);
  }

  /** An observation of a unit with a standby of its own. */
  public Observation(
      UnitPolicy policy,
      UnitState state,
      Map<String, Member> members,
      Map<String, NodeView> nodes,
      PrimaryLease lease,
      ServiceView service,
      Instant now,
      Set<ConditionType> shownTrue) {
    this(policy, state, members, nodes, lease, service, now, shownTrue, null);
  }

  /** An observation of a unit whose status shows no condition True. */
  public Observation(
      UnitPolicy policy,
      UnitState state,
      Map<String, Member> members,
      Map<String, NodeView> nodes,
      PrimaryLease lease,
      ServiceView service,
      Instant now) {
    this(policy, state, members, nodes, lease, service, now, Set.of());
  }

  /** The shared standby of a pool holds this unit's standby (a unit beyond the pool's capacity has its own). */
  public boolean pooled() {
    return pool != null && pool.admitted();
  }

  public Optional<Member> member(String pod) {
    return Optional.ofNullable(pod == null ? null : members.get(pod));
  }

  public Optional<NodeView> node(String name) {
    return Optional.ofNullable(name == null ? null : nodes.get(name));
  }

  /** The same observation, the status remembering {@code s} instead (a step that decided on a new state goes on from it). */
  Observation withState(UnitState s) {
    return new Observation(policy, s, members, nodes, lease, service, now, shownTrue, pool);
  }

  /** The same observation under {@code p} (the operator adds what it learnt of the unit's dependencies). */
  public Observation withPolicy(UnitPolicy p) {
    return new Observation(p, state, members, nodes, lease, service, now, shownTrue, pool);
  }
}
