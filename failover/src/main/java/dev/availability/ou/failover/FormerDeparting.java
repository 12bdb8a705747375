package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.util.List;
import java.util.Set;

/**
 * A primary whose pod is being deleted ({@code kubectl delete pod}, an eviction the budget let through) fails over at
 * once, yet its sidecar still runs through the pod's grace period, holding the whole log: the sidecar of a primary
 * lingers after SIGTERM for a few seconds, waiting to be kept (the sidecar's {@code ShutdownLinger}). So the failover
 * keeps it as the new primary's standby — it catches up from its own log at once, and a Synchronous primary with
 * {@code dataDurability: Required} acknowledges again without waiting for a new pod to start — while a successor pod
 * starts on another node. Once the successor's sidecar runs at the unit's epoch it takes the standby's place (the new
 * primary streams to it) and the departing member is released (assigned Fenced: its sidecar leaves). If the departing
 * member leaves first, the successor takes the place as soon as it exists. The departing member is never promotable
 * nor counted as protection: it is about to go. Pure.
 */
final class FormerDeparting {
  private FormerDeparting() {}

  /** Whether {@code former}, deposed by promotion {@code i} because its pod is being deleted, stays as the standby. */
  static boolean keep(Observation o, Intent i, Member former) {
    return former != null
        && i.kind() == PromotionKind.Failover
        && podDeleted(i.cause())
        && !o.pooled()
        && former.deleting()
        && !former.terminated()
        && former.phase() == Member.PodPhase.Running
        && former.report() != null
        && o.node(former.node()).map(NodeView::healthy).orElse(false);
  }

  /**
   * Keeps {@code former} as the standby of {@code target} and creates its successor: adds the actions, returns the state
   * to remember.
   */
  static UnitState keepAndSucceed(
      Observation o, UnitState s, Intent i, Member former, Member target, List<Action> actions) {
    actions.add(new Assign(former.pod(), Role.Standby, i.epoch(), i.target()));
    String name = createSuccessor(o, s, i.epoch(), target, former, actions);
    actions.add(new Emit(
        EventReason.FormerPrimaryDeparting,
        "former primary " + former.pod() + ", being deleted, stays as the standby of " + i.target()
            + " until " + name + " has started: its sidecar holds the log, so the new primary"
            + " acknowledges again without waiting for a new pod",
        false));
    return counted(o, s.withStandby(former.pod()), name);
  }

  /**
   * Whether the unit's standby slot names a former primary kept while its pod is deleted: still deleting, or gone. (A
   * pod made since under that name, not deleting, is a standby like any other.)
   */
  static boolean holdsTheStandby(Observation o, UnitState s) {
    FailoverTimings last = s.lastFailover();
    return s.standby() != null
        && last != null
        && s.standby().equals(last.former())
        && podDeleted(last.cause())
        && o.member(s.standby()).map(Member::deleting).orElse(true);
  }

  /** Whether standby {@code m} is such a departing former primary. */
  static boolean departing(Observation o, Member m) {
    return m.pod().equals(o.state().standby()) && holdsTheStandby(o, o.state()) && m.deleting();
  }

  /**
   * Tends the departing standby {@code sb} (null once gone) of primary {@code p}: the state to go on with. The standby
   * slot is handed to the successor once it runs (or at once when the departing member is gone); emptied when both are
   * gone (a new standby is then made as usual); else the departing member stays, assigned, and a missing successor is
   * created.
   */
  static UnitState tend(Observation o, UnitState s, Member p, Member sb, List<Action> actions) {
    Member successor = NodeMaintenance.successor(o, s, p.pod());
    boolean gone = sb == null || sb.terminated();
    if (successor != null && (gone || runs(s, successor))) {
      if (!gone) actions.add(new Assign(sb.pod(), Role.Fenced, s.epoch(), null));
      actions.add(new Emit(
          EventReason.StandbyHandedOver,
          successor.pod() + " takes over as the standby of " + p.pod()
              + (gone
                  ? " (former primary " + s.standby() + " is gone)"
                  : " from former primary " + sb.pod() + ", which leaves now"),
          false));
      return s.withStandby(successor.pod());
    }
    if (gone) return s.withStandby(null);
    if (successor == null) s = counted(o, s, createSuccessor(o, s, s.epoch(), p, sb, actions));
    if (!sb.assigned(Role.Standby, s.epoch(), p.pod(), MemberSettings.of(o.policy(), s)))
      actions.add(new Assign(sb.pod(), Role.Standby, s.epoch(), p.pod()));
    return s;
  }

  /** The successor awaited by a departing standby: kept, not removed as an extra member. */
  static boolean awaited(Observation o, UnitState s, Member m) {
    return holdsTheStandby(o, s)
        && s.primary() != null
        && m.equals(NodeMaintenance.successor(o, s, s.primary()));
  }

  /** Its sidecar runs at the unit's epoch: the primary can stream to it at once. */
  private static boolean runs(UnitState s, Member m) {
    return m.phase() == Member.PodPhase.Running
        && m.report() != null
        && m.report().epoch() >= s.epoch();
  }

  /** Creates a standby of {@code primary} off its node and off the departing member's: adds the action, returns its name. */
  private static String createSuccessor(
      Observation o, UnitState s, long epoch, Member primary, Member former, List<Action> actions) {
    String name = o.policy().unit() + "-" + nextOrdinal(o);
    Set<String> avoid = StandbyPlacement.avoidForStandby(
        o, s.withPrimary(primary.pod()), former.scheduled() ? Set.of(former.node()) : Set.of());
    actions.add(new CreateMember(
        name, ordinalOf(name), Role.Standby, epoch, primary.pod(), Set.copyOf(avoid), null));
    return name;
  }

  /** {@code s} with the ordinal of {@code created} used. */
  private static UnitState counted(Observation o, UnitState s, String created) {
    return s.withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(created) + 1));
  }

  private static boolean podDeleted(PromotionReason cause) {
    return cause instanceof PromotionReason.Fault f && f.signal() == Signal.Kind.PodDeleting;
  }
}
