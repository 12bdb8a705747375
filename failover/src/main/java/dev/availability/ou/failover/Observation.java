package dev.availability.ou.failover;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the availability manager knows about one unit at one instant: what the spec asks, what the
 * status remembers, what the pods, nodes, lease and sidecar reports say. Built by the operator from its
 * informer caches; the decider never looks anywhere else.
 */
public record Observation(
    UnitPolicy policy,
    UnitState state,
    Map<String, Member> members,
    Map<String, NodeView> nodes,
    PrimaryLease lease,
    ServiceView service,
    Instant now) {

  public Optional<Member> member(String pod) {
    return Optional.ofNullable(pod == null ? null : members.get(pod));
  }

  public Optional<NodeView> node(String name) {
    return Optional.ofNullable(name == null ? null : nodes.get(name));
  }

  /** The same observation, the status remembering {@code s} instead (a step that decided on a new state goes on from it). */
  Observation withState(UnitState s) {
    return new Observation(policy, s, members, nodes, lease, service, now);
  }
}
