package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Requests.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Poison-stimulus quarantine (Journal mode): a stimulus both copies failed on ({@link PoisonEvidence}) is quarantined
 * in the same step that fails over away from the second copy, so the member promoted next is assigned with it marked:
 * its application must not reprocess it but settle it (tell its user it was ignored). The unit shows condition
 * {@code CommonModeFailure} with the evidence until a human drops the stimulus (once settled) or releases it (to be
 * reprocessed after all), by {@code kubectl ou drop} / {@code release} or the annotations {@code release-stimulus} and
 * {@code drop-stimulus}, each value answered in {@code status.requests}. Pure.
 */
final class PoisonQuarantine {
  private PoisonQuarantine() {}

  /** How soon after its promotion a primary must fail for an unfinished stimulus to count against it. */
  static Duration window(Duration recoveryBudget) {
    return recoveryBudget.multipliedBy(12);
  }

  /** The decision with the quarantine's marks: new convictions, settlements, a human's answer, the condition. */
  static Decision apply(Observation o, Decision d) {
    UnitState s = d.state();
    List<Action> actions = new ArrayList<>(d.actions());
    s = convict(o, s, actions);
    s = settle(o, s, actions);
    s = answer(o, s, Kind.ReleaseStimulus, actions);
    s = answer(o, s, Kind.DropStimulus, actions);
    List<ConditionView> conditions = new ArrayList<>(d.conditions());
    conditions.add(condition(o.policy().unit(), s.quarantine()));
    return new Decision(s, d.phase(), conditions, actions, d.persistStateFirst(), d.recheckAfter());
  }

  /**
   * Convictions in this step: a failover decided away from a primary promoted by a failover on a fault, or a failover
   * on a fault aborted because its target failed.
   */
  private static UnitState convict(Observation o, UnitState s, List<Action> actions) {
    Intent before = o.state().intent();
    Intent started = s.intent();
    Duration window = window(o.policy().recoveryBudget());
    List<QuarantinedStimulus> found = List.of();
    String next = null;
    if (before == null && started != null && PoisonEvidence.Promotion.of(started) != null) {
      Instant failedAt = started.faultObservedAt() != null ? started.faultObservedAt() : o.now();
      FailoverTimings last = o.state().lastFailover();
      PoisonEvidence.Promotion promotion =
          last != null && last.epoch() == o.state().epoch()
              ? PoisonEvidence.Promotion.of(last)
              : null;
      found = PoisonEvidence.convicted(
          promotion,
          o.member(started.former()).orElse(null),
          failedAt,
          window,
          s.quarantinedIds(),
          o.now());
      next = started.target();
    } else if (before != null && started == null && !completed(before, s)) {
      found = PoisonEvidence.convicted(
          PoisonEvidence.Promotion.of(before),
          o.member(before.target()).orElse(null),
          o.now(),
          window,
          s.quarantinedIds(),
          o.now());
      next = s.primary();
    }
    if (found.isEmpty()) return s;
    List<QuarantinedStimulus> q = new ArrayList<>(s.quarantine());
    for (QuarantinedStimulus stimulus : found) {
      q.add(stimulus);
      actions.add(new Emit(
          EventReason.StimulusQuarantined,
          evidence(stimulus) + ": quarantined; " + (next == null ? "the next primary" : next)
              + " will not reprocess it (its application tells the stimulus's user it was ignored)",
          true));
    }
    return s.withQuarantine(q);
  }

  /** Whether the promotion {@code i} completed (it is in the history) rather than being called off. */
  private static boolean completed(Intent i, UnitState s) {
    FailoverTimings last = s.lastFailover();
    return last != null && last.epoch() == i.epoch() && i.target().equals(last.newPrimary());
  }

  /** Quarantined stimuli the serving primary no longer lists: its application settled them. */
  private static UnitState settle(Observation o, UnitState s, List<Action> actions) {
    if (s.intent() != null || s.primary() == null || s.quarantine().isEmpty()) return s;
    Member p = o.member(s.primary()).orElse(null);
    Member.Report r = p == null ? null : p.report();
    // Only a report of this primacy, with its whole list (a cut list could leave a live one out).
    if (r == null
        || r.role() != Member.Role.Primary
        || r.epoch() != s.epoch()
        || r.reprocessing().size() >= REPORTED_AT_MOST) return s;
    List<QuarantinedStimulus> q = new ArrayList<>();
    boolean changed = false;
    for (QuarantinedStimulus stimulus : s.quarantine()) {
      if (!stimulus.settled() && !r.reprocessing().contains(stimulus.id())) {
        stimulus = stimulus.settled(o.now());
        changed = true;
        actions.add(new Emit(
            EventReason.StimulusSettled,
            "quarantined stimulus '" + stimulus.id() + "' settled by the application on "
                + p.pod() + " (its user was told it was ignored); drop it with kubectl ou drop "
                + o.policy().unit() + " " + stimulus.id() + " once the cause is understood",
            false));
      }
      q.add(stimulus);
    }
    return changed ? s.withQuarantine(q) : s;
  }

  /** The most stimulus ids a member's report lists (the contract's cap): a list this long may be cut. */
  static final int REPORTED_AT_MOST = 32;

  /** A new release or drop value, answered once: done, or refused saying why. */
  private static UnitState answer(Observation o, UnitState s, Kind kind, List<Action> actions) {
    String value = o.policy().requests().value(kind);
    if (!s.unanswered(kind, value)) return s;
    String verb = kind == Kind.ReleaseStimulus ? "release" : "drop";
    String id = Requests.stimulusNamed(value, s.quarantinedIds());
    String malformed = o.policy().requests().malformed(kind);
    if (malformed != null || id == null) {
      String why = malformed != null
          ? malformed
          : "no quarantined stimulus is named '" + value + "' (quarantined: "
              + (s.quarantine().isEmpty() ? "none" : String.join(", ", s.quarantinedIds()))
              + ")";
      actions.add(new Emit(EventReason.RequestRefused, verb + " refused: " + why, true));
      return s.withAnswer(RequestAnswer.refused(kind, value, why, o.now()));
    }
    QuarantinedStimulus stimulus =
        s.quarantine().stream().filter(q -> q.id().equals(id)).findFirst().orElseThrow();
    if (kind == Kind.DropStimulus && !stimulus.settled()) {
      String why = "stimulus '" + id + "' is still unfinished on the primary: its application has"
          + " not settled it (told its user it was ignored) yet; drop it once it has, or release it to"
          + " have it reprocessed";
      actions.add(new Emit(EventReason.RequestRefused, "drop refused: " + why, true));
      return s.withAnswer(RequestAnswer.refused(kind, value, why, o.now()));
    }
    String said = kind == Kind.DropStimulus
        ? "stimulus '" + id + "' dropped: its quarantine record is gone"
        : stimulus.settled()
            ? "stimulus '" + id + "' released; the application had already settled it (its user was"
                + " told it was ignored), so there is nothing left to reprocess"
            : "stimulus '" + id + "' released: the primary's application reprocesses it";
    actions.add(new Emit(
        kind == Kind.DropStimulus ? EventReason.StimulusDropped : EventReason.StimulusReleased,
        said,
        false));
    List<QuarantinedStimulus> rest =
        s.quarantine().stream().filter(q -> !q.id().equals(id)).toList();
    return s.withQuarantine(rest).withAnswer(RequestAnswer.done(kind, value, said, o.now()));
  }

  /** CommonModeFailure: True, with the evidence of each, while any stimulus is quarantined. */
  static ConditionView condition(String unit, List<QuarantinedStimulus> quarantine) {
    if (quarantine.isEmpty()) {
      return new ConditionView(
          ConditionType.CommonModeFailure,
          false,
          ConditionReason.NoStimulusQuarantined,
          "no stimulus is quarantined");
    }
    List<String> each = new ArrayList<>();
    for (QuarantinedStimulus q : quarantine) {
      each.add(evidence(q) + "; quarantined at " + q.quarantinedAt()
          + (q.settled()
              ? "; settled by the application at " + q.settledAt()
              : "; not settled by the application yet"));
    }
    return new ConditionView(
        ConditionType.CommonModeFailure,
        true,
        ConditionReason.StimulusQuarantined,
        String.join(". ", each)
            + ". Find the cause, then kubectl ou drop " + unit + " <id> (or kubectl ou release "
            + unit + " <id> to have it reprocessed)");
  }

  private static String evidence(QuarantinedStimulus q) {
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < q.members().size(); i++) {
      failures.add(q.members().get(i) + " at "
          + (i < q.failedAt().size() ? q.failedAt().get(i) : "an unknown time"));
    }
    return "stimulus '" + q.id() + "' was in flight on each primary that failed: "
        + String.join(", then ", failures);
  }
}
