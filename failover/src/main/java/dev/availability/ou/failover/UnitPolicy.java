package dev.availability.ou.failover;

import java.time.Duration;

/**
 * The parts of the unit's spec the decider acts on, and what its annotations ask ({@link Requests}).
 *
 * @param templateHash hash of the desired member pod; members with another hash are rolled
 * @param loopProtection failovers within how long suspend automatic failover (null: the budget's defaults)
 * @param unavailableDependencies the units it depends on that are unavailable now ({@link DependencyWatch}): not the
 *     spec, but what the members must be told, so it travels with the settings
 */
public record UnitPolicy(
    String unit,
    Mode mode,
    boolean automatic,
    Duration recoveryBudget,
    Long maxPromotableLag,
    boolean failback,
    String templateHash,
    Requests requests,
    LoopProtection loopProtection,
    java.util.List<String> unavailableDependencies) {

  /** K failovers within W suspend automatic failover ({@link FailoverLoop}); null fields take the budget's defaults. */
  public record LoopProtection(Integer maxFailovers, Duration window) {}

  public enum Mode {
    Synchronous,
    Asynchronous,
    Journal
  }

  public UnitPolicy {
    if (requests == null) requests = Requests.NONE;
    unavailableDependencies = unavailableDependencies == null
        ? java.util.List.of()
        : java.util.List.copyOf(unavailableDependencies);
  }

  public UnitPolicy(
      String unit,
      Mode mode,
      boolean automatic,
      Duration recoveryBudget,
      Long maxPromotableLag,
      boolean failback,
      String templateHash,
      Requests requests,
      LoopProtection loopProtection) {
    this(
        unit,
        mode,
        automatic,
        recoveryBudget,
        maxPromotableLag,
        failback,
        templateHash,
        requests,
        loopProtection,
        java.util.List.of());
  }

  public UnitPolicy(
      String unit,
      Mode mode,
      boolean automatic,
      Duration recoveryBudget,
      Long maxPromotableLag,
      boolean failback,
      String templateHash,
      Requests requests) {
    this(
        unit,
        mode,
        automatic,
        recoveryBudget,
        maxPromotableLag,
        failback,
        templateHash,
        requests,
        null);
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
        unit,
        mode,
        automatic,
        recoveryBudget,
        maxPromotableLag,
        failback,
        templateHash,
        r,
        loopProtection,
        unavailableDependencies);
  }

  public UnitPolicy withUnavailableDependencies(java.util.List<String> names) {
    return new UnitPolicy(
        unit,
        mode,
        automatic,
        recoveryBudget,
        maxPromotableLag,
        failback,
        templateHash,
        requests,
        loopProtection,
        names);
  }

  /** The failover-loop limits in force: the spec's, else K = 3 within sixty recovery budgets. */
  FailoverLoop.Limits loopLimits() {
    FailoverLoop.Limits d = FailoverLoop.Limits.defaults(recoveryBudget);
    if (loopProtection == null) return d;
    return new FailoverLoop.Limits(
        loopProtection.maxFailovers() != null ? loopProtection.maxFailovers() : d.maxFailovers(),
        loopProtection.window() != null ? loopProtection.window() : d.window());
  }

  public Thresholds thresholds() {
    return Thresholds.of(recoveryBudget);
  }

  /** What the members' sidecars run by: the mode and the timings of the budget (MemberSettings). */
  public MemberSettings memberSettings() {
    return MemberSettings.of(mode, thresholds())
        .withUnavailableDependencies(unavailableDependencies);
  }
}
