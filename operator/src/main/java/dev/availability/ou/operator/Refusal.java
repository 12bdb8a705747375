package dev.availability.ou.operator;

import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.EventReason;

/**
 * Why the operator acts on nothing for a unit (before the core decides, or because the API server refused it): the reason of condition Degraded and of the
 * Warning event it records, the same word in both.
 */
enum Refusal {
  /** A spec the API server accepted that only the operator can see is wrong ({@link SpecChecks}, {@link InvalidSpecException}). */
  InvalidSpec(ConditionReason.InvalidSpec, EventReason.InvalidSpec),
  /** An object of one of the unit's names exists that the unit did not create ({@link NameConflictException}). */
  NameConflict(ConditionReason.NameConflict, EventReason.NameConflict),
  /** The API server refused a request of the reconcile ({@link ApiErrors}): it is retried; the status says why it fails. */
  ApiRequestFailed(ConditionReason.ApiRequestFailed, EventReason.ApiRequestFailed);

  final ConditionReason condition;
  final EventReason event;

  Refusal(ConditionReason condition, EventReason event) {
    this.condition = condition;
    this.event = event;
  }
}
