package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A paused unit ({@link #ANNOTATION} {@code "true"}): the operator observes and reports but acts on nothing. The
 * decision it would take is worked out as usual and then held: the state stays as it was (no intent is written, so
 * resuming decides afresh from what it then observes), no action is performed, and the status says what it would
 * do (condition Paused, a Warning event {@code ActionHeld}).
 *
 * <p>A pause during a failover under way holds it where it is. That is safe because every decision's actions may
 * stop after any one of them (an operator may crash there): before the target took the lease the former primary
 * still serves, after it the former is fenced (assignment and lease), and once traffic moved the former is fenced
 * and only its removal and a new standby wait. No step leaves two primaries acknowledging; resuming completes the
 * failover, or aborts it if the target is no longer fit.
 */
final class Pause {
  static final String ANNOTATION = "ou.availability.dev/paused";

  private Pause() {}

  /** The decision as taken: {@code wouldDo} itself when the unit is not paused, else held. Adds the Paused condition. */
  static Decision apply(Observation o, Decision wouldDo) {
    Requests r = o.policy().requests();
    boolean paused = r.isPaused();
    UnitState s = o.state();
    RequestAnswer before = s.answer(Requests.Kind.Pause);
    // The answer remembers whether the unit was paused, so that the pause and the resumption are
    // each told once.
    boolean wasPaused = before != null
        && before.state() == RequestAnswer.State.Done
        && PAUSED.equals(before.message());
    if (!paused) {
      Decision d = wouldDo;
      List<Action> actions = d.actions();
      UnitState next = d.state();
      String malformed = r.malformed(Requests.Kind.Pause);
      RequestAnswer answer = wasPaused
          ? RequestAnswer.done(Requests.Kind.Pause, r.paused(), RESUMED, o.now())
          : malformed != null && next.unanswered(Requests.Kind.Pause, r.paused())
              ? RequestAnswer.refused(Requests.Kind.Pause, r.paused(), malformed, o.now())
              : null;
      if (answer != null) {
        actions = new ArrayList<>(actions);
        actions.add(
            0,
            answer.state() == RequestAnswer.State.Refused
                ? new Emit(EventReason.RequestRefused, malformed, true)
                : new Emit(EventReason.Resumed, RESUMED, false));
        next = next.withAnswer(answer);
      }
      return new Decision(
          next,
          d.phase(),
          with(
              d.conditions(),
              new ConditionView(
                  ConditionType.Paused,
                  false,
                  ConditionReason.NotPaused,
                  "the operator acts on the unit (" + ANNOTATION + " is not \"true\")")),
          actions,
          d.persistStateFirst(),
          d.recheckAfter());
    }
    List<String> would = WouldDo.describe(s, wouldDo);
    String summary = would.isEmpty() ? "nothing" : String.join("; ", would);
    Phase phase = wouldDo.phase();
    List<ConditionView> conditions = wouldDo.conditions();
    Intent started = s.intent() == null ? wouldDo.state().intent() : null;
    if (started != null) {
      // Nobody is promoted: say what failed, not that a failover is under way.
      phase = Phase.Degraded;
      conditions = Conditions.degraded(
          ConditionReason.Paused,
          started.message() + "; the unit is paused: nobody is promoted until it is resumed");
    } else if (s.intent() != null) {
      phase = Phase.FailingOver;
      conditions = Conditions.failingOver(s.intent()).stream()
          .map(c -> c.type() == ConditionType.FailoverInProgress
              ? new ConditionView(
                  c.type(),
                  true,
                  c.reason(),
                  c.message() + " (held where it is: the unit is paused)")
              : c)
          .toList();
    }
    List<Action> actions = new ArrayList<>();
    if (!wasPaused)
      actions.add(new Emit(EventReason.Paused, PAUSED + " (" + ANNOTATION + ")", false));
    if (!would.isEmpty())
      actions.add(new Emit(EventReason.ActionHeld, "paused: would " + summary, true));
    UnitState next = wasPaused
        ? s
        : s.withAnswer(RequestAnswer.done(Requests.Kind.Pause, r.paused(), PAUSED, o.now()));
    ConditionView pausedNow = new ConditionView(
        ConditionType.Paused,
        true,
        ConditionReason.PausedByAnnotation,
        ANNOTATION
            + " is \"true\": the operator reports but acts on nothing (remove the annotation to resume). It would now: "
            + summary);
    // Nothing it would do can happen before it is resumed (an event wakes it): no need to look
    // again soon.
    Duration lease = o.policy().thresholds().leaseDuration();
    Duration recheck = wouldDo.recheckAfter() == null
        ? null
        : wouldDo.recheckAfter().compareTo(lease) < 0 ? lease : wouldDo.recheckAfter();
    return new Decision(next, phase, with(conditions, pausedNow), actions, false, recheck);
  }

  static final String PAUSED =
      "paused: the operator reports but acts on nothing (remove the annotation to resume)";
  static final String RESUMED = "resumed: the operator acts on the unit again";

  private static List<ConditionView> with(List<ConditionView> conditions, ConditionView c) {
    List<ConditionView> all = new ArrayList<>(conditions);
    all.add(c);
    return all;
  }
}
