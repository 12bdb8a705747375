package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether each unit a unit depends on is available: it is unavailable once it has had no serving primary (in sync, or
 * the last one known) for longer than the dependency's {@code unavailableAfter} (default: its own recovery budget, so
 * a failover it recovers from in time is never reported). The outage is dated from its Ready=False transition, but
 * never before the last renewal of its primary lease the operator saw: a primary still renewing is still there. Not
 * from the signals against its primary, whose dates can precede the fault (a primary its standby vouches for renews
 * its lease only every ten lease durations), nor from the renewal alone, for the same reason: either would report a
 * failover it completes within its budget.
 *
 * <p>One case is dated earlier, by the dependency's own operator: when its primary and standby fall silent together
 * ({@link MembersSilence}: both nodes stop renewing their leases) it writes Ready=False with the moment its members
 * were last heard (the later of the two nodes' last renewals it saw, and of its primary lease's) as the transition time, not the moment it judged
 * them (1.5 kubelet renewal periods later). That date is safe there and only there: nothing can be promoted, so no
 * failover within the budget can be reported by it, and the two node leases are the kubelets' own, renewed every
 * quarter lease, not a vouched primary's sparse renewals. So the dependents are told about the loss of both members
 * at the last-heard moment plus {@code unavailableAfter}, within the budget plus the time to tell them from the fault.
 *
 * <p>A dependency that does not exist is unavailable (NotFound). Pure: the time is passed in.
 */
public final class DependencyWatch {
  private DependencyWatch() {}

  /** An entry of {@code spec.dependsOn}; {@code unavailableAfter} null takes the dependency's recovery budget. */
  public record Dependency(String name, Duration unavailableAfter) {}

  /**
   * The dependency unit as the operator observes it.
   *
   * @param serving its Ready condition is True (a primary serves through its Service)
   * @param readySince when its Ready condition last changed (null: unknown); for a unit whose members fell silent
   *     together, when they were last heard
   * @param lastRenewal when the operator last saw its primary lease renewed, by the operator's clock (null: never)
   */
  public record Observed(
      String name,
      Duration recoveryBudget,
      boolean serving,
      Instant readySince,
      Instant lastRenewal) {}

  public enum Reason {
    /** Its primary serves. */
    Serving,
    /** No primary serves, for less than unavailableAfter: it may recover in time; not reported to the members. */
    Recovering,
    /** No primary has served for longer than unavailableAfter. */
    NoServingPrimary,
    /** No unit of that name in the namespace. */
    NotFound
  }

  /**
   * What the operator concludes about one dependency.
   *
   * @param since when it was last seen becoming available or unavailable (an outage: when its primary stopped)
   * @param unavailableAfter the patience in force (null when NotFound)
   */
  public record Verdict(
      String name, boolean available, Instant since, Reason reason, Duration unavailableAfter) {

    /** Whether it changed availability since {@code before} (a first verdict counts only when unavailable). */
    boolean changedFrom(Verdict before) {
      return before == null ? !available : before.available != available;
    }
  }

  /**
   * The verdict on each dependency, in the order of {@code dependsOn}.
   *
   * @param observed the dependency units found in the namespace, by name
   * @param previous the verdicts written last time, by name (keep the dates of unchanged ones)
   */
  public static List<Verdict> assess(
      List<Dependency> dependsOn,
      Map<String, Observed> observed,
      Map<String, Verdict> previous,
      Instant now) {
    List<Verdict> out = new ArrayList<>();
    for (Dependency d : dependsOn) {
      out.add(assess(d, observed.get(d.name()), previous.get(d.name()), now));
    }
    return out;
  }

  static Verdict assess(Dependency d, Observed o, Verdict before, Instant now) {
    if (o == null) {
      Instant since = before != null && before.reason() == Reason.NotFound ? before.since() : now;
      return new Verdict(d.name(), false, since, Reason.NotFound, null);
    }
    Duration after = d.unavailableAfter() != null ? d.unavailableAfter() : o.recoveryBudget();
    boolean wasAvailable = before != null && before.available();
    if (o.serving()) {
      Instant since = wasAvailable ? before.since() : earliest(o.readySince(), now);
      return new Verdict(d.name(), true, since, Reason.Serving, after);
    }
    Instant stopped = outageStart(o, now);
    if (before != null && before.reason() == Reason.NoServingPrimary)
      return new Verdict(d.name(), false, before.since(), Reason.NoServingPrimary, after);
    if (!Duration.between(stopped, now).minus(after).isNegative())
      return new Verdict(d.name(), false, stopped, Reason.NoServingPrimary, after);
    Instant since = wasAvailable ? before.since() : stopped;
    return new Verdict(d.name(), true, since, Reason.Recovering, after);
  }

  /** When the dependency's primary stopped: its Ready=False transition, not before its last renewal seen. */
  static Instant outageStart(Observed o, Instant now) {
    Instant sign = earliest(o.readySince(), now);
    return o.lastRenewal() != null && o.lastRenewal().isAfter(sign)
        ? earliest(o.lastRenewal(), now)
        : sign;
  }

  /**
   * How long until a recovering dependency would turn unavailable (the reconcile to ask for), or null when none is
   * recovering.
   */
  public static Duration recheckAfter(
      List<Verdict> verdicts, Map<String, Observed> observed, Instant now) {
    Duration soonest = null;
    for (Verdict v : verdicts) {
      Observed o = observed.get(v.name());
      if (v.reason() != Reason.Recovering || o == null) continue;
      Duration left = Duration.between(now, outageStart(o, now).plus(v.unavailableAfter()));
      if (left.isNegative()) left = Duration.ZERO;
      if (soonest == null || left.compareTo(soonest) < 0) soonest = left;
    }
    return soonest;
  }

  /** The names of the dependencies unavailable now, in order: what the members are told. */
  public static List<String> unavailable(List<Verdict> verdicts) {
    return verdicts.stream().filter(v -> !v.available()).map(Verdict::name).toList();
  }

  /** Condition DependenciesAvailable: False naming each unavailable dependency and why. */
  public static ConditionView condition(List<Verdict> verdicts) {
    List<String> down = new ArrayList<>();
    for (Verdict v : verdicts) {
      if (!v.available()) down.add(describe(v));
    }
    if (down.isEmpty()) {
      return new ConditionView(
          ConditionType.DependenciesAvailable,
          true,
          ConditionReason.AllDependenciesAvailable,
          verdicts.isEmpty()
              ? "the unit depends on no other unit"
              : "every unit it depends on has a serving primary");
    }
    return new ConditionView(
        ConditionType.DependenciesAvailable,
        false,
        ConditionReason.DependencyUnavailable,
        String.join("; ", down)
            + ". The members are told; the application runs degraded until it returns");
  }

  /** One event per dependency that changed availability: a Warning when it went, Normal when it came back. */
  public static List<Action.Emit> events(List<Verdict> verdicts, Map<String, Verdict> previous) {
    List<Action.Emit> out = new ArrayList<>();
    for (Verdict v : verdicts) {
      if (!v.changedFrom(previous.get(v.name()))) continue;
      out.add(
          v.available()
              ? new Action.Emit(
                  EventReason.DependencyAvailable,
                  "dependency " + v.name() + " has a serving primary again (since " + v.since()
                      + ")",
                  false)
              : new Action.Emit(EventReason.DependencyUnavailable, describe(v), true));
    }
    return out;
  }

  static String describe(Verdict v) {
    return switch (v.reason()) {
      case NotFound ->
        "dependency " + v.name() + " not found: no OperationalUnit of that name in this"
            + " namespace";
      default ->
        "dependency " + v.name() + " has had no serving primary since " + v.since()
            + " (longer than its unavailableAfter, " + v.unavailableAfter().toMillis() + " ms)";
    };
  }

  private static Instant earliest(Instant t, Instant now) {
    return t == null || t.isAfter(now) ? now : t;
  }
}
