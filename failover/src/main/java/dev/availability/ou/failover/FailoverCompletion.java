package dev.availability.ou.failover;

import static dev.availability.ou.failover.MemberOrdinals.nextOrdinal;
import static dev.availability.ou.failover.MemberOrdinals.ordinalOf;
import static dev.availability.ou.failover.MemberRemoval.fenced;
import static dev.availability.ou.failover.MemberRemoval.mayHang;
import static dev.availability.ou.failover.MemberRemoval.nodeDown;
import static dev.availability.ou.failover.StandbyPlacement.avoidForStandby;
import static dev.availability.ou.failover.StandbyPlacement.createStandby;
import static dev.availability.ou.failover.StandbyPlacement.homeToPrefer;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The second step of a promotion under way (traffic is on the target): the former primary removed (or kept, fenced by
 * the user or lost with its node), a new standby scheduled, and the promotion told done once the former primary is
 * leaving. Pure.
 */
final class FailoverCompletion {
  private FailoverCompletion() {}

  static Decision complete(Observation o) {
    UnitState s = o.state();
    Intent i = s.intent();
    Member target = o.member(i.target()).orElse(null);
    Member former = o.member(i.former()).orElse(null);
    Instant now = o.now();
    List<Action> actions = new ArrayList<>();
    UnitState next = s;
    Duration recheck = null;
    boolean formerLeaving = true;
    // A fenced former primary is kept in the standby's place (Fencing): not deleted, not replaced,
    // not streamed to.
    boolean keepFenced = former != null
        && !former.deleting()
        && s.standby() == null
        && Fencing.asked(o, former.pod());
    if (keepFenced) next = next.withStandby(former.pod());
    // Failed over because its application crashed, the former primary keeps its pod: its sidecar,
    // alive and holding the log, is the new primary's standby at once (FormerAsStandby).
    boolean keepAsStandby =
        !keepFenced && s.standby() == null && FormerAsStandby.keep(o, i, former);
    if (keepAsStandby) {
      next = next.withStandby(former.pod());
      actions.add(new Assign(former.pod(), Role.Standby, i.epoch(), i.target()));
      actions.add(new Emit(
          EventReason.FormerPrimaryKept,
          "former primary " + former.pod() + " stays as the standby of " + i.target()
              + ": only its application crashed (the kubelet restarts it), and its sidecar"
              + " catches up from its own log, without a new pod or a snapshot",
          false));
    }
    // Its pod being deleted, the former primary's sidecar lingers: it is the standby until a
    // successor runs (FormerDeparting).
    boolean keepDeparting = !keepFenced
        && !keepAsStandby
        && s.standby() == null
        && target != null
        && FormerDeparting.keep(o, i, former);
    if (keepDeparting) next = FormerDeparting.keepAndSucceed(o, next, i, former, target, actions);
    // Lost with its node, the former primary is kept in case it comes back before the new standby
    // is in sync (MemberRejoin); fenced by epoch, it cannot acknowledge. The new standby does not
    // wait for it.
    boolean kept = former != null
        && !keepFenced
        && !keepAsStandby
        && !keepDeparting
        && MemberRejoin.keep(o, s, former);
    if (former != null && !keepFenced && !keepAsStandby && !keepDeparting && !kept) {
      // On a node that is down, wait until the former primary is fenced and force its deletion; on
      // a suspected node that still looks Ready, delete it gracefully now and force it later if it
      // hangs.
      boolean nodeDown = nodeDown(o, former);
      boolean force = mayHang(o, s, former) && fenced(o, s, former);
      if (!former.deleting()) {
        actions.add(new DeleteMember(former.pod(), force));
        actions.add(new Emit(
            EventReason.FormerPrimaryDeleted,
            "deleting former primary " + former.pod()
                + (nodeDown
                    ? (force
                        ? " (forced: its node is unreachable and it is fenced)"
                        : " (its node is unreachable: forced deletion once it is fenced)")
                    : ""),
            false));
      } else if (force) {
        actions.add(new DeleteMember(former.pod(), true));
      }
      formerLeaving = !nodeDown || force;
      if (!formerLeaving) {
        Instant at = i.serviceSwitchedAt().plus(o.policy().thresholds().leaseDuration());
        recheck =
            Duration.between(now, at).isNegative() ? Duration.ZERO : Duration.between(now, at);
      }
    }
    // A standby readied before a drain's switchover (NodeMaintenance) follows it: the new primary
    // streams to it at once.
    Member successor =
        s.standby() == null && i.planned() ? NodeMaintenance.successor(o, s, i.target()) : null;
    if (successor != null) {
      next = next.withStandby(successor.pod());
      actions.add(new Assign(successor.pod(), Role.Standby, i.epoch(), i.target()));
    }
    // The standby made when the failover was decided (EarlySuccessor) follows it; made again under
    // its
    // name below should it be gone.
    if (next.standby() == null
        && i.successor() != null
        && !keepFenced
        && !keepAsStandby
        && !keepDeparting) {
      next = next.withStandby(i.successor());
      o.member(i.successor())
          .filter(m -> !m.assigned(Role.Standby, i.epoch(), i.target()))
          .ifPresent(m -> actions.add(new Assign(m.pod(), Role.Standby, i.epoch(), i.target())));
    }
    // With failback the new standby waits for the former primary to leave the home node (see
    // StandbyLifecycle).
    boolean homeTaken = next.standby() == null
        && former != null
        && !kept
        && Objects.equals(
            former.node(), homeToPrefer(o, s, avoidForStandby(o, s, suspectNode(o, i))));
    // A pooled unit's next standby is the pool's: the pool makes it when it sees the claim, and
    // StandbyLifecycle takes it once it holds the unit.
    boolean poolMakesIt = o.pooled() && next.standby() == null;
    if (!poolMakesIt
        && !keepFenced
        && !keepAsStandby
        && !keepDeparting
        && ((next.standby() == null && !homeTaken)
            || (next.standby() != null && o.member(next.standby()).isEmpty()))) {
      String name =
          next.standby() != null ? next.standby() : o.policy().unit() + "-" + nextOrdinal(o);
      actions.add(createStandby(o, s, name, suspectNode(o, i)));
      actions.add(new Emit(
          EventReason.StandbyScheduled,
          "scheduling new standby " + name + " on a node other than "
              + (target != null ? target.node() : "the primary's"),
          false));
      next = next.withStandby(name).withNextOrdinal(Math.max(nextOrdinal(o), ordinalOf(name) + 1));
    }
    String peer = Fencing.peerOf(o, next.standby());
    if (target != null && !target.assigned(Role.Primary, i.epoch(), peer))
      actions.add(new Assign(target.pod(), Role.Primary, i.epoch(), peer));
    if (formerLeaving) {
      FailoverTimings t = next.lastFailover();
      String from = switch (i.kind()) {
        case Failover -> "fault";
        case Switchover -> "decision";
        case Drill -> "request";
      };
      String summary =
          FailoverUnderWay.what(i) + " from " + i.former() + " to " + i.target() + " done"
              + (t != null && t.trafficSwitched() != null
                  ? ": traffic moved " + t.trafficSwitched().toMillis() + " ms after the " + from
                      + " (recovery budget " + o.policy().recoveryBudget().toMillis() + " ms)"
                      + (i.kind() == PromotionKind.Drill && t.updatesLost() != null
                          ? ", " + t.updatesLost() + " updates lost"
                          : "")
                  : "");
      actions.add(new Emit(
          switch (i.kind()) {
            case Failover -> EventReason.FailoverCompleted;
            case Switchover -> EventReason.SwitchoverCompleted;
            case Drill -> EventReason.DrillCompleted;
          },
          summary,
          false));
      next = next.withIntent(null);
    }
    next = TimingsProgress.record(o, next, Phase.Synchronizing, actions);
    if (keepFenced) {
      return new Decision(
          next,
          Phase.Unprotected,
          Conditions.steady(
              target,
              o,
              false,
              ConditionReason.StandbyFenced,
              Fencing.standbyMessage(o, former.pod())),
          actions,
          false,
          recheck);
    }
    return new Decision(
        next,
        formerLeaving ? Phase.Synchronizing : Phase.FailingOver,
        formerLeaving
            ? Conditions.steady(
                target,
                o,
                false,
                ConditionReason.StandbyStarting,
                next.standby() != null
                    ? "new standby " + next.standby() + " is being created"
                    : "waiting for " + i.former() + " to leave node " + s.homeNode()
                        + " before creating the standby there (failback)")
            : Conditions.failingOver(i),
        actions,
        Decision.createsMember(actions),
        recheck);
  }

  /**
   * The former primary's node when it is unhealthy or gone: keep the new standby off it. A node that still
   * looks Ready is not listed even when the failover suspected it: the avoidance may be rendered required,
   * and a node that never turns NotReady (a short partition) would then keep a two-node unit unprotected for
   * good. While the former primary's pod is there, the pod anti-affinity keeps the standby off it anyway.
   */
  static Set<String> suspectNode(Observation o, Intent i) {
    if (i.formerNode() == null || i.formerNode().isEmpty()) return Set.of();
    return o.node(i.formerNode()).map(n -> !n.healthy()).orElse(true)
        ? Set.of(i.formerNode())
        : Set.of();
  }
}
