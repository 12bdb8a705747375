package dev.availability.ou.failover;

import java.time.Instant;

/**
 * A failover (or planned switchover) decided and written to the status before anything is touched.
 *
 * @param serviceSwitchedAt null until the Service names the target
 * @param lagAtDecision updates the target trailed by when it was chosen (the loss in Asynchronous mode)
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
    boolean planned,
    Long lagAtDecision) {

  public Intent switched(Instant at) {
    return new Intent(target, former, formerNode, epoch, reason, message, faultObservedAt, decidedAt, at, planned, lagAtDecision);
  }
}
