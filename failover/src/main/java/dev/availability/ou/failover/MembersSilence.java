package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;

/**
 * The primary and its standby silent together: the nodes of both (two different nodes) have stopped renewing their
 * node leases, while the primary's node still looks Ready (the node controller has not judged it yet: its grace
 * period is 40 s by default). One stale node lease is what a partition of that node looks like, and stays a weak signal
 * ({@code NodeLeaseStale}); with the standby's node silent too there is no member left that the cluster hears, and no
 * side of a partition from which one still speaks for the unit: it is judged failed at once ({@code MembersSilent}),
 * about 1.5 kubelet renewal periods after the later of the two nodes went quiet, instead of at the node controller's
 * NotReady.
 *
 * <p>Nothing can be promoted (the standby is as unreachable as the primary), and nothing is done that a brief blink of
 * both kubelets would regret: {@link PrimaryFailure} promotes, fences and deletes nobody on it; the unit shows that it
 * does not serve ({@code Ready=False}, {@code MembersUnreachable}), dated from {@link Silence#lastHeard}. Once the node
 * controller marks a node NotReady the usual rules apply. Pure.
 */
final class MembersSilence {
  private MembersSilence() {}

  /**
   * Both members unheard.
   *
   * @param lastHeard the last moment the unit was heard: the later of the two node lease renewals and of the primary
   *     lease's renewal the operator saw; the unit was last known to serve then
   * @param visibleAt when both node leases were stale (the later of the two)
   */
  record Silence(
      String primary,
      String primaryNode,
      String standby,
      String standbyNode,
      Instant lastHeard,
      Instant visibleAt) {

    Signal signal() {
      return new Signal(Signal.Kind.MembersSilent, visibleAt, describe());
    }

    /** The same words for as long as the silence lasts (one event, one status write). */
    String describe() {
      return "primary " + primary + " and standby " + standby + " both unreachable: nodes "
          + primaryNode + " and " + standbyNode + " stopped renewing their leases (last heard at "
          + lastHeard + ")";
    }
  }

  /** The silence of the unit's primary and standby now, or null when either is heard (or cannot be judged). */
  static Silence of(Observation o) {
    UnitState s = o.state();
    Member p = o.member(s.primary()).orElse(null);
    Member sb = o.member(s.standby()).orElse(null);
    if (p == null || sb == null || !p.scheduled() || !sb.scheduled()) return null;
    // On one node, the two are one witness: that node's silence stays a partition's (weak).
    if (p.node().equals(sb.node()) || sb.deleting() || sb.terminated()) return null;
    NodeView primaryNode = o.node(p.node()).orElse(null);
    NodeView standbyNode = o.node(sb.node()).orElse(null);
    if (primaryNode == null || standbyNode == null || !primaryNode.healthy()) return null;
    Instant primaryStale = primaryNode.leaseStaleAt();
    Instant standbyStale = standbyNode.leaseStaleAt();
    if (primaryStale == null || standbyStale == null) return null;
    if (!o.now().isAfter(primaryStale) || !o.now().isAfter(standbyStale)) return null;
    Instant heard = later(primaryNode.leaseRenewedAt(), standbyNode.leaseRenewedAt());
    // The primary's own renewal, when the operator saw one later, is the last word from the unit:
    // the
    // dependents date the outage from it too (DependencyWatch.outageStart), and the two dates must
    // agree
    // (seen in CI: a sparse renewal seen 0.6 s after both nodes' last one).
    PrimaryLease lease = o.lease();
    if (lease != null && p.pod().equals(lease.holder()) && lease.renewedAt() != null)
      heard = later(heard, lease.renewedAt());
    return new Silence(
        p.pod(), p.node(), sb.pod(), sb.node(), heard, later(primaryStale, standbyStale));
  }

  /**
   * How long until the standby's node lease turns stale, when the primary's already is (null otherwise): the moment
   * to look again, as both may have gone at once.
   */
  static Duration untilStandbyStale(Observation o) {
    Member sb = o.member(o.state().standby()).orElse(null);
    if (sb == null || !sb.scheduled()) return null;
    Instant at = o.node(sb.node()).map(NodeView::leaseStaleAt).orElse(null);
    if (at == null || o.now().isAfter(at)) return null;
    return Duration.between(o.now(), at).plusMillis(1); // stale once strictly past it
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
