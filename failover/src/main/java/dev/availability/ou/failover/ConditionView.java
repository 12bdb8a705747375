package dev.availability.ou.failover;

import java.time.Instant;

/**
 * A status condition as the decider sees it; the operator adds transition times and generations. The reason is kept
 * as written to the API: a {@link ConditionReason}, or for FailoverInProgress a {@link PromotionReason}'s name.
 *
 * @param since when the status changed, when the decider knows it changed before it could see it (a unit whose members
 *     both went silent stopped serving when they were last heard, {@link MembersSilence}); null: when the operator
 *     writes the change. A status that does not change keeps its transition time either way.
 */
public record ConditionView(
    ConditionType type, boolean status, String reason, String message, Instant since) {

  public ConditionView(ConditionType type, boolean status, String reason, String message) {
    this(type, status, reason, message, null);
  }

  public ConditionView(ConditionType type, boolean status, ConditionReason reason, String message) {
    this(type, status, reason.name(), message, null);
  }

  /** This condition, its change dated {@code since}. */
  public ConditionView changedAt(Instant since) {
    return new ConditionView(type, status, reason, message, since);
  }

  /** Whether this condition gives {@code reason}. */
  public boolean hasReason(ConditionReason reason) {
    return reason.name().equals(this.reason);
  }
}
