package dev.availability.ou.failover;

import java.time.Instant;

/**
 * A failover (or planned switchover) decided and written to the status before anything is touched.
 *
 * @param serviceSwitchedAt null until the Service names the target
 * @param kind a failover (a fault), a switchover (planned) or a drill (asked for, taken the way a fault is)
 * @param lagAtDecision updates the target trailed by when it was chosen (the loss in Asynchronous mode)
 * @param promotionAskedAt when the target was first seen asked to take the promotion (its confirmation
 *     deadline counts from there, so an operator that restarts gives it a fair chance)
 * @param successor the new standby made at the decision to follow the target once promoted ({@link EarlySuccessor});
 *     null when none was made
 */
public record Intent(
    String target,
    String former,
    String formerNode,
    long epoch,
    String reason,
    String message,
    Instant faultObservedAt,
    Instant decidedAt,
    Instant serviceSwitchedAt,
    PromotionKind kind,
    Long lagAtDecision,
    Instant promotionAskedAt,
    String successor) {

  /** An intent with no successor made yet. */
  public Intent(
      String target,
      String former,
      String formerNode,
      long epoch,
      String reason,
      String message,
      Instant faultObservedAt,
      Instant decidedAt,
      Instant serviceSwitchedAt,
      PromotionKind kind,
      Long lagAtDecision,
      Instant promotionAskedAt) {
    this(
        target,
        former,
        formerNode,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        serviceSwitchedAt,
        kind,
        lagAtDecision,
        promotionAskedAt,
        null);
  }

  /** The {@link #reason} read back as typed (null when the status names none this operator knows). */
  PromotionReason cause() {
    return PromotionReason.of(reason);
  }

  /** A planned switchover: the primary was healthy and hands over (no fault, no loss in Synchronous mode). */
  public boolean planned() {
    return kind == PromotionKind.Switchover;
  }

  public Intent asked(Instant at) {
    return new Intent(
        target,
        former,
        formerNode,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        serviceSwitchedAt,
        kind,
        lagAtDecision,
        at,
        successor);
  }

  public Intent switched(Instant at) {
    return new Intent(
        target,
        former,
        formerNode,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        at,
        kind,
        lagAtDecision,
        promotionAskedAt,
        successor);
  }

  public Intent withSuccessor(String pod) {
    return new Intent(
        target,
        former,
        formerNode,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        serviceSwitchedAt,
        kind,
        lagAtDecision,
        promotionAskedAt,
        pod);
  }
}
