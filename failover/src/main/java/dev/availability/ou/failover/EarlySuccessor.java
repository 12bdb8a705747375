package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;

import dev.availability.ou.failover.Action.Emit;
import java.util.List;

/**
 * The new standby of a failover whose former primary will not be kept, named when the failover is decided and created
 * with the promotion rather than once traffic has moved. Its pod starts while the target takes over, assigned Standby
 * at the new epoch with the target as its primary, and the target is promoted with it as its peer. A Synchronous
 * primary with {@code dataDurability: Required} acknowledges nothing until a standby is in sync, so after a lost node
 * its clients waited for the promotion and then for a whole pod start (the node-kill drill: the new standby's pod was
 * created 0.4 s after the promotion, and in sync 2.2 s after that). Not for a former primary kept as the standby (its
 * pod being deleted, {@link FormerDeparting}; its application crashed, {@link FormerAsStandby}; fenced by the user), a
 * pooled unit (the pool makes its standby), or with failback (the new standby may wait for the home node). Pure.
 */
final class EarlySuccessor {
  private EarlySuccessor() {}

  /**
   * Names a successor in {@code i} when its former primary will not be kept: the intent and state to remember (the
   * successor named in the intent, its ordinal used). The promotion creates it ({@link #create}), in the same round of
   * writes as the assignments, so naming it costs the failover no round trip. {@code i} and {@code s} unchanged when
   * none is made.
   */
  static Planned plan(Observation o, UnitState s, Intent i, Member target) {
    Member former = o.member(i.former()).orElse(null);
    if (i.planned()
        || o.pooled()
        || o.policy().failback()
        || target == null
        || FormerDeparting.keep(o, i, former)
        || FormerAsStandby.keep(o, i, former)
        || (former != null && Fencing.asked(o, former.pod()))) return new Planned(i, s);
    // A standby readied for the target already (a drain's switchover was under way): it follows.
    Member readied = NodeMaintenance.successor(o, s, target.pod());
    if (readied != null) return new Planned(i.withSuccessor(readied.pod()), s);
    String name = o.policy().unit() + "-" + nextOrdinal(o);
    return new Planned(
        i.withSuccessor(name), s.withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1)));
  }

  /** The intent and state with the successor named. */
  record Planned(Intent intent, UnitState state) {}

  /** The target's peer from its promotion on: the successor, unless it is going. */
  static String peer(Observation o, Intent i) {
    if (i.successor() == null) return null;
    Member m = o.member(i.successor()).orElse(null);
    return m != null && (m.deleting() || m.terminated()) ? null : i.successor();
  }

  /** Creates the successor named in {@code i} when it does not exist yet: adds the actions. */
  static void create(Observation o, Intent i, Member target, List<Action> actions) {
    if (i.successor() == null || o.member(i.successor()).isPresent()) return;
    UnitState promoted = o.state().withPrimary(target.pod()).withEpoch(i.epoch());
    actions.add(StandbyPlacement.createStandby(
        o, promoted, i.successor(), FailoverCompletion.suspectNode(o, i)));
    actions.add(new Emit(
        EventReason.StandbyScheduled,
        "scheduling new standby " + i.successor() + " on a node other than " + target.node()
            + " to follow " + target.pod() + " once it is promoted",
        false));
  }
}
