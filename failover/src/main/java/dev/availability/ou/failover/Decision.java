package dev.availability.ou.failover;

import java.time.Duration;
import java.util.List;

/**
 * The decider's answer: the state to remember, the phase and conditions to show, the actions to perform
 * and when to look again.
 *
 * @param persistStateFirst write {@code state} to the status before performing the actions (a new
 *     failover intent must be durable before anything is touched)
 * @param recheckAfter reconcile again after this long even if nothing changes (null: no need)
 */
public record Decision(
    UnitState state,
    Phase phase,
    List<ConditionView> conditions,
    List<Action> actions,
    boolean persistStateFirst,
    Duration recheckAfter) {

  /** A decision that creates a member names it in the status first, so a restart creates the same one. */
  static boolean createsMember(List<Action> actions) {
    return actions.stream().anyMatch(a -> a instanceof Action.CreateMember);
  }
}
