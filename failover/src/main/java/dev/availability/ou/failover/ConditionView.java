package dev.availability.ou.failover;

/**
 * A status condition as the decider sees it; the operator adds transition times and generations. The reason is kept
 * as written to the API: a {@link ConditionReason}, or for FailoverInProgress a {@link PromotionReason}'s name.
 */
public record ConditionView(ConditionType type, boolean status, String reason, String message) {

  public ConditionView(ConditionType type, boolean status, ConditionReason reason, String message) {
    this(type, status, reason.name(), message);
  }

  /** Whether this condition gives {@code reason}. */
  public boolean hasReason(ConditionReason reason) {
    return reason.name().equals(this.reason);
  }
}
