package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;

import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Member.Role;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/** Where a new standby goes: the nodes it avoids, the home node it prefers (failback), and when a node came back. */
final class StandbyPlacement {
  private StandbyPlacement() {}

  static CreateMember createStandby(
      Observation o, UnitState s, String name, Set<String> alsoAvoid) {
    Set<String> avoid = avoidForStandby(o, s, alsoAvoid);
    return new CreateMember(
        name,
        ordinalOf(name),
        Role.Standby,
        s.epoch(),
        s.primary(),
        Set.copyOf(avoid),
        homeToPrefer(o, s, avoid));
  }

  static Set<String> avoidForStandby(Observation o, UnitState s, Set<String> alsoAvoid) {
    Member p = o.member(s.primary()).orElse(null);
    Set<String> avoid = new LinkedHashSet<>();
    if (p != null && p.scheduled()) avoid.add(p.node());
    avoid.addAll(alsoAvoid);
    o.nodes().values().stream().filter(n -> !n.healthy()).map(NodeView::name).forEach(avoid::add);
    // The set becomes the pod's required node affinity, a snapshot of this moment: excluding every
    // node would leave the standby unschedulable for good once they recover (seen after the API
    // server restarted, when every node looked NotReady for a moment). Then only the primary's node
    // is excluded; the scheduler keeps the pod off nodes that are still not ready by their taints,
    // and it lands on the first that recovers.
    if (!o.nodes().isEmpty() && avoid.containsAll(o.nodes().keySet())) {
      avoid.clear();
      if (p != null && p.scheduled()) avoid.add(p.node());
    }
    return avoid;
  }

  /** With failback, a new standby goes to the home node when it may: in sync there, the primary moves back. */
  static String homeToPrefer(Observation o, UnitState s, Set<String> avoid) {
    return o.policy().failback()
            && s.homeNode() != null
            && !avoid.contains(s.homeNode())
            && o.node(s.homeNode()).map(n -> !n.underMaintenance()).orElse(true)
        ? s.homeNode()
        : null;
  }

  /** A member (not the primary) still leaving the home node a new standby should go to, for up to a recovery budget. */
  static Member leavingHome(Observation o, UnitState s) {
    if (homeToPrefer(o, s, avoidForStandby(o, s, Set.of())) == null) return null;
    return o.members().values().stream()
        .filter(m -> s.homeNode().equals(m.node())
            && m.deleting()
            && !m.pod().equals(s.primary())
            && o.now().isBefore(m.deletionRequestedAt().plus(o.policy().recoveryBudget())))
        .findFirst()
        .orElse(null);
  }

  /**
   * A node (other than the primary's) that became Ready after the unschedulable standby was created: the
   * standby may have been told to avoid it while it was down, and a new one may fit there now.
   */
  static String nodeBackSince(Observation o, Member p, Member sb) {
    Instant created =
        sb.readySince(); // a standby that never ran has been unready since it was created
    if (created == null) return null;
    return o.nodes().values().stream()
        .filter(n -> n.healthy()
            && !n.name().equals(p.node())
            && n.readySince() != null
            && n.readySince().isAfter(created))
        .map(NodeView::name)
        .sorted()
        .findFirst()
        .orElse(null);
  }
}
