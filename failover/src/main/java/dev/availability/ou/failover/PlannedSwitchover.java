package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import java.time.Duration;
import java.util.List;

/**
 * A planned switchover to an in-sync standby, the primary healthy: the one the user asks for ({@link RequestDecider}),
 * the drain's ({@link NodeMaintenance}), and the two the steady state starts on its own ({@link #dueOnItsOwn}). The
 * intent is written first, as for a failover; {@link FailoverUnderWay} carries it out. Pure.
 */
final class PlannedSwitchover {
  private PlannedSwitchover() {}

  /** Starts a switchover to {@code target}, assessed {@code a}: the intent, to be written before anything is touched. */
  static Decision start(
      Observation o,
      UnitState s,
      Member target,
      StandbyAssessment a,
      PromotionReason.Chosen reason,
      String message) {
    Member former = o.member(s.primary()).orElse(null);
    // (an asynchronous standby may stream in sync yet trail: a planned switch loses that much)
    Long lag = o.policy().mode() == UnitPolicy.Mode.Asynchronous ? a.lag() : Long.valueOf(0);
    Intent intent = new Intent(
        target.pod(),
        s.primary(),
        former.node(),
        s.epoch() + 1,
        reason.name(),
        message,
        o.now(),
        o.now(),
        null,
        PromotionKind.Switchover,
        lag,
        null);
    List<Action> actions = List.of(new Emit(EventReason.SwitchoverStarted, message, false));
    return new Decision(
        s.withIntent(intent),
        Phase.FailingOver,
        Conditions.failingOver(intent),
        actions,
        true,
        Duration.ZERO);
  }

  /**
   * The switchover the steady state starts to the in-sync {@code standby} of a healthy primary {@code p}: the primary
   * runs an outdated spec (the updated standby takes over before the primary is replaced), or failback (the standby runs
   * on the home node the primary left). Null when neither is due, or the standby's node may not receive service.
   */
  static Decision dueOnItsOwn(
      Observation o, UnitState s, Member p, Member standby, StandbyAssessment a) {
    if (!NodeMaintenance.mayReceive(o, standby)) return null;
    UnitPolicy policy = o.policy();
    boolean stalePrimary = policy.templateHash() != null
        && p.templateHash() != null
        && !policy.templateHash().equals(p.templateHash());
    if (stalePrimary) {
      return start(
          o,
          s,
          standby,
          a,
          PromotionReason.Chosen.SpecChanged,
          "the spec changed: switching to the updated standby " + standby.pod()
              + " before replacing " + p.pod());
    }
    if (policy.failback()
        && s.homeNode() != null
        && !s.homeNode().equals(p.node())
        && s.homeNode().equals(standby.node())) {
      return start(
          o,
          s,
          standby,
          a,
          PromotionReason.Chosen.Failback,
          "node " + s.homeNode() + " is back and " + standby.pod()
              + " there is in sync: failing back");
    }
    return null;
  }
}
