package dev.availability.ou.failover;

import java.time.Duration;

/**
 * The parts of the unit's spec the decider acts on.
 *
 * @param templateHash hash of the desired member pod; members with another hash are rolled
 */
public record UnitPolicy(
    String unit,
    Mode mode,
    boolean automatic,
    Duration recoveryBudget,
    Long maxPromotableLag,
    boolean failback,
    String templateHash) {

  public enum Mode { Synchronous, Asynchronous, Journal }

  public Thresholds thresholds() {
    return Thresholds.of(recoveryBudget);
  }
}
