package dev.availability.ou.failover;

import java.time.Duration;

/**
 * The parts of the unit's spec the decider acts on, and what its annotations ask ({@link Requests}).
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
    String templateHash,
    Requests requests) {

  public enum Mode {
    Synchronous,
    Asynchronous,
    Journal
  }

  public UnitPolicy {
    if (requests == null) requests = Requests.NONE;
  }

  /** A unit nobody asks anything of. */
  public UnitPolicy(
      String unit,
      Mode mode,
      boolean automatic,
      Duration recoveryBudget,
      Long maxPromotableLag,
      boolean failback,
      String templateHash) {
    this(
        unit,
        mode,
        automatic,
        recoveryBudget,
        maxPromotableLag,
        failback,
        templateHash,
        Requests.NONE);
  }

  public UnitPolicy withRequests(Requests r) {
    return new UnitPolicy(
        unit, mode, automatic, recoveryBudget, maxPromotableLag, failback, templateHash, r);
  }

  public Thresholds thresholds() {
    return Thresholds.of(recoveryBudget);
  }

  /** What the members' sidecars run by: the mode and the timings of the budget (MemberSettings). */
  public MemberSettings memberSettings() {
    return MemberSettings.of(mode, thresholds());
  }
}
