package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;

/** The record of one failover, switchover or drill: when each step happened, whether it fit the recovery budget. */
public record FailoverTimings(
    String former,
    String newPrimary,
    long epoch,
    String reason,
    String message,
    Instant faultObservedAt,
    Instant decidedAt,
    Instant serviceSwitchedAt,
    Instant endpointsSwitchedAt,
    Instant standbyReadyAt,
    Duration recoveryBudget,
    Long updatesLost,
    PromotionKind kind) {

  /** The {@link #reason} read back as typed (null when the status names none this operator knows). */
  PromotionReason cause() {
    return PromotionReason.of(reason);
  }

  public boolean planned() {
    return kind == PromotionKind.Switchover;
  }

  public Duration detection() {
    return between(faultObservedAt, decidedAt);
  }

  public Duration promotion() {
    return between(decidedAt, serviceSwitchedAt);
  }

  /** Fault to traffic on the new primary: the EndpointSlice switch when seen, else the Service write. */
  public Duration trafficSwitched() {
    return between(
        faultObservedAt, endpointsSwitchedAt != null ? endpointsSwitchedAt : serviceSwitchedAt);
  }

  public Boolean withinRecoveryBudget() {
    Duration t = trafficSwitched();
    return t == null ? null : t.compareTo(recoveryBudget) <= 0;
  }

  public FailoverTimings withEndpointsSwitchedAt(Instant at) {
    return new FailoverTimings(
        former,
        newPrimary,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        serviceSwitchedAt,
        at,
        standbyReadyAt,
        recoveryBudget,
        updatesLost,
        kind);
  }

  public FailoverTimings withStandbyReadyAt(Instant at) {
    return new FailoverTimings(
        former,
        newPrimary,
        epoch,
        reason,
        message,
        faultObservedAt,
        decidedAt,
        serviceSwitchedAt,
        endpointsSwitchedAt,
        at,
        recoveryBudget,
        updatesLost,
        kind);
  }

  private static Duration between(Instant a, Instant b) {
    return a == null || b == null ? null : Duration.between(a, b);
  }
}
