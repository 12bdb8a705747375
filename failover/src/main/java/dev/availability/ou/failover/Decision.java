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
    Duration recheckAfter) {}
