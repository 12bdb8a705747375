package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Failover-loop protection: once {@code K} failovers on a fault (not switchovers, drills or a fenced primary) fell within a window {@code W}
 * since a human last resumed them, the unit fails over no more on its own (a stimulus that crashes every copy would
 * otherwise promote, crash, promote... for ever) and waits for a human: {@code kubectl ou resume}, or a new value of
 * the {@code resume-failovers} annotation, answered in {@code status.requests}; failovers before that answer no
 * longer count. Nothing lifts it by itself: the window only decides when it trips. Pure.
 */
final class FailoverLoop {
  private FailoverLoop() {}

  /** How many failovers within how long trip it ({@code spec.failover.loopProtection}). */
  record Limits(int maxFailovers, Duration window) {
    /** K = 3 within W = sixty recovery budgets (five minutes at the default 10 s response-time budget). */
    static Limits defaults(Duration recoveryBudget) {
      return new Limits(3, recoveryBudget.multipliedBy(60));
    }
  }

  /** Why automatic failover is suspended (naming the failovers that tripped it), or empty while it is not. */
  static Optional<String> suspended(Observation o) {
    Limits limits = o.policy().loopLimits();
    Instant since = countsFrom(o.state());
    List<FailoverTimings> counted = o.state().history().stream()
        .filter(FailoverLoop::automatic)
        .filter(t -> since == null || t.decidedAt().isAfter(since))
        .sorted(Comparator.comparing(FailoverTimings::decidedAt))
        .toList();
    for (int i = 0; i + limits.maxFailovers() - 1 < counted.size(); i++) {
      List<FailoverTimings> run = counted.subList(i, i + limits.maxFailovers());
      Duration spread =
          Duration.between(run.get(0).decidedAt(), run.get(run.size() - 1).decidedAt());
      if (spread.compareTo(limits.window()) <= 0) return Optional.of(message(o, run, limits));
    }
    return Optional.empty();
  }

  /** A failover the operator decided on a fault (not one a human caused by fencing the primary). */
  static boolean automatic(FailoverTimings t) {
    return t.kind() == PromotionKind.Failover
        && t.decidedAt() != null
        && t.cause() instanceof PromotionReason.Fault;
  }

  /** Failovers decided after this count (the last resumption answered), or null: all of them. */
  static Instant countsFrom(UnitState s) {
    RequestAnswer a = s.answer(Requests.Kind.ResumeFailovers);
    return a == null ? null : a.at();
  }

  private static String message(Observation o, List<FailoverTimings> run, Limits limits) {
    List<String> each = new ArrayList<>();
    for (FailoverTimings t : run) {
      each.add(t.decidedAt() + " " + t.reason() + " " + t.former() + " -> " + t.newPrimary()
          + " (epoch " + t.epoch() + ")");
    }
    return run.size() + (run.size() == 1 ? " failover" : " failovers") + " within "
        + limits.window().toSeconds() + " s" + " ("
        + String.join("; ", each)
        + "): automatic failover is suspended so that a fault that follows the service from member to member does not"
        + " move it for ever; find the cause, then kubectl ou resume "
        + o.policy().unit()
        + " (or annotate " + Requests.RESUME_FAILOVERS_ANNOTATION + " with a new value)";
  }

  /**
   * The decision with the loop's marks: Degraded with reason FailoverLoop while it is suspended and nothing graver
   * degrades the unit, and the resumption answered (failovers before it stop counting).
   */
  static Decision apply(Observation o, Decision d) {
    Decision shown = d;
    Optional<String> why = suspended(o);
    if (why.isPresent()) {
      List<ConditionView> conditions = new ArrayList<>();
      for (ConditionView c : d.conditions()) {
        conditions.add(
            c.type() == ConditionType.Degraded && !c.status()
                ? new ConditionView(
                    ConditionType.Degraded, true, ConditionReason.FailoverLoop, why.get())
                : c);
      }
      shown = new Decision(
          d.state(), d.phase(), conditions, d.actions(), d.persistStateFirst(), d.recheckAfter());
    }
    String value = o.policy().requests().resumeFailovers();
    if (!shown.state().unanswered(Requests.Kind.ResumeFailovers, value)) return shown;
    String said = why.isPresent()
        ? "automatic failover resumed: the failovers before now no longer count toward the loop limit"
        : "automatic failover was not suspended; failovers before now no longer count toward the loop limit";
    List<Action> actions = new ArrayList<>(shown.actions());
    actions.add(new Action.Emit(EventReason.Resumed, said, false));
    UnitState next = shown
        .state()
        .withAnswer(RequestAnswer.done(Requests.Kind.ResumeFailovers, value, said, o.now()));
    // Answered: the loop no longer holds, so its mark goes and the unit is decided again at once
    // (a failure it held then fails over). Nothing else may cause that pass before the resync: a
    // healthy unit's members write nothing for a minute (the loop drill saw FailoverLoop for 20 s).
    return new Decision(
        next, d.phase(), d.conditions(), actions, shown.persistStateFirst(), Duration.ZERO);
  }
}
