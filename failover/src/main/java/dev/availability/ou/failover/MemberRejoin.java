package dev.availability.ou.failover;

import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A member lost with its machine rejoins as the standby when it comes back before a fresh standby is in sync: its
 * volume holds the unit's log up to where it stopped, so it catches up from there, without a snapshot.
 *
 * <p>Protection comes first: the decider schedules a fresh standby at once, wherever one fits, and nothing waits for
 * the lost member. The lost member is only kept (its pod not deleted; fenced by epoch, it cannot acknowledge) while no
 * standby is in sync, and only as long as it may still come back: while its node is down, while the node of a
 * deposed primary has yet to be judged (its kubelet silent, or a node lease duration after the switch), and for
 * {@link #RETURN_GRACE} after its node is back. Once a standby is in sync it has nothing to add and goes. Pure.
 */
final class MemberRejoin {
  /** How long a member whose node is back may take to be heard again (its containers restart with the node). */
  static final Duration RETURN_GRACE = Duration.ofSeconds(60);
  /** The node lease duration when a node has none (the kubelet's default). */
  private static final Duration DEFAULT_NODE_LEASE = Duration.ofSeconds(40);

  private MemberRejoin() {}

  /** Whether {@code m}, neither primary nor standby, is kept rather than deleted: it may come back first. */
  static boolean keep(Observation o, UnitState s, Member m) {
    if (m.pod().equals(s.primary()) || m.pod().equals(s.standby())) return false;
    // A pooled unit's standby is the pool's shared pod: a lost member does not come back as one.
    if (o.pooled()) return false;
    if (m.deleting() || m.terminated() || m.report() == null || standbyInSync(o, s)) return false;
    return keptUntil(o, s, m).map(until -> o.now().isBefore(until)).orElse(false);
  }

  /**
   * A kept member that is back (its node healthy, its sidecar heard saying Fenced at the unit's epoch, which it can only
   * have read after it was lost) and fit, to become the standby in place of one that is not in sync yet: the one holding
   * the most. Null when none.
   */
  static Member returning(Observation o, UnitState s) {
    return o.members().values().stream()
        .filter(m -> keep(o, s, m)
            && heardSinceItWasLost(o, s, m)
            && !StandbyAssessment.of(m, o).failed())
        .max(Comparator.comparingLong((Member m) -> m.report().lastDurableSeq())
            .thenComparing(Member::pod))
        .orElse(null);
  }

  /**
   * Makes {@code back} (see {@link #returning}) the standby in place of {@code standby} (null when none), which goes:
   * adds the actions, returns the state to remember. The caller assigns it Standby.
   */
  static UnitState rejoin(
      Observation o, UnitState s, Member back, Member standby, List<Action> actions) {
    if (standby != null)
      actions.add(new Action.DeleteMember(standby.pod(), MemberRemoval.nodeDown(o, standby)));
    actions.add(new Action.Emit(
        EventReason.MemberRejoined,
        back.pod() + " is back on node " + back.node() + " with its log (up to sequence "
            + back.report().lastDurableSeq()
            + "): it rejoins as standby and catches up from there, without a snapshot"
            + (standby != null ? "; removing standby " + standby.pod() + ", not in sync yet" : ""),
        false));
    return s.withStandby(back.pod());
  }

  /**
   * A kept member on {@code node}, back and healthy, whose sidecar has not been heard since: the standby should not be
   * replaced for that node meanwhile (the member, still there, takes it back in a moment).
   */
  static boolean awaitedOn(Observation o, UnitState s, String node) {
    return o.node(node).map(NodeView::healthy).orElse(false)
        && o.members().values().stream()
            .anyMatch(m -> node.equals(m.node()) && keep(o, s, m) && !heardSinceItWasLost(o, s, m));
  }

  /** When the next kept member's window ends (the decider must look again then), or null. */
  static Duration recheck(Observation o, UnitState s) {
    return o.members().values().stream()
        .filter(m -> keep(o, s, m))
        .map(m -> keptUntil(o, s, m).orElseThrow())
        .filter(until -> until != Instant.MAX)
        .map(until -> Duration.between(o.now(), until))
        .min(Comparator.naturalOrder())
        .orElse(null);
  }

  /**
   * Until when {@code m} may still come back; empty when it was not lost with its node. Lost with its node: the
   * primary the last failover deposed on suspicion of its node, or a standby the decider fenced when it replaced it
   * because its node was down (any other extra member assigned Fenced or Standby). {@link Instant#MAX} while its node is
   * down or its kubelet silent; for the deposed primary whose node still looks Ready and has not been down since, a
   * node lease duration after the switch (the node controller has yet to judge it); else {@link #RETURN_GRACE} after its
   * node was Ready again.
   */
  private static Optional<Instant> keptUntil(Observation o, UnitState s, Member m) {
    NodeView node = o.node(m.node()).orElse(null);
    if (node == null) return Optional.empty();
    FailoverTimings last = s.lastFailover();
    boolean lastFormer = last != null && m.pod().equals(last.former());
    Instant lostAt =
        lastFormer && PromotionReason.suspectsNode(last.cause()) ? last.serviceSwitchedAt() : null;
    if (lastFormer ? lostAt == null : m.assignedRole() == null || m.assignedRole() == Role.Primary)
      return Optional.empty();
    if (!node.healthy() || kubeletSilent(o, node)) return Optional.of(Instant.MAX);
    Instant backAt = node.readySince();
    if (lostAt != null && (backAt == null || !backAt.isAfter(lostAt))) {
      return Optional.of(
          lostAt.plus(node.leaseDuration() != null ? node.leaseDuration() : DEFAULT_NODE_LEASE));
    }
    return Optional.ofNullable(backAt).map(at -> at.plus(RETURN_GRACE));
  }

  /** The node's kubelet has not renewed its lease for 1.5 renewal periods (as the operator saw the renewals). */
  private static boolean kubeletSilent(Observation o, NodeView n) {
    Instant staleAt = n.leaseStaleAt();
    return staleAt != null && o.now().isAfter(staleAt);
  }

  /**
   * Its node is healthy and its sidecar reports Fenced at the unit's epoch: the fence was written after it was lost (the
   * deposed primary's at the failover, the lost standby's when it was replaced), so it has run since.
   */
  private static boolean heardSinceItWasLost(Observation o, UnitState s, Member m) {
    NodeView node = o.node(m.node()).orElse(null);
    Member.Report r = m.report();
    return node != null
        && node.healthy()
        && !kubeletSilent(o, node)
        && r.role() == Role.Fenced
        && r.epoch() >= s.epoch();
  }

  static boolean standbyInSync(Observation o, UnitState s) {
    return o.member(s.standby()).map(sb -> StandbyAssessment.of(sb, o).inSync()).orElse(false);
  }
}
