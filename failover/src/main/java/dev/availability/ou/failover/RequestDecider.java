package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Requests.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The switchover and the drill a user asks for (annotations {@code switchover-to} and {@code drill}), each value
 * answered once. A switchover is planned: the standby named (or {@code any}) must be in sync and the primary
 * healthy; it then goes the way a spec change's switchover goes, with no loss, counted as a switchover. A drill is a
 * failover the user asks for: an in-sync standby is promoted the way a fault promotes it, so its timings are the
 * unit's real recovery (RTO) and its loss the real RPO, recorded in the history as a Drill and counted as no
 * failover. A request that cannot be met is refused, saying why and what to do, and nothing is touched; so is a
 * request made while a promotion is under way.
 */
final class RequestDecider {
  /** The reason of a switchover a user asked for, as the status names it. */
  static final String REQUESTED = PromotionReason.Chosen.Requested.name();

  private static final List<Kind> KINDS = List.of(Kind.Switchover, Kind.Drill);

  private final PrimaryHealthEvaluator primaryHealth;
  private final CandidateRanking ranking;

  RequestDecider(PrimaryHealthEvaluator primaryHealth, CandidateRanking ranking) {
    this.primaryHealth = primaryHealth;
    this.ranking = ranking;
  }

  /**
   * What a new request asks of a unit with no promotion under way: a promotion {@link Taken.Started}, or an answer
   * (refused, or done at once) {@link Taken.Answered} on top of the steady step's decision; {@link Taken.NothingAsked}
   * leaves the unit to the steady step. The decider then {@link #settle}s the answers.
   */
  sealed interface Taken {
    record Started(Decision decision) implements Taken {}

    record Answered(RequestAnswer answer, Emit event) implements Taken {
      /** The steady step's decision {@code d} with this answer given and told. */
      Decision onto(Decision d) {
        List<Action> actions = new ArrayList<>(d.actions());
        actions.add(event);
        return new Decision(
            d.state().withAnswer(answer),
            d.phase(),
            d.conditions(),
            actions,
            d.persistStateFirst(),
            d.recheckAfter());
      }
    }

    record NothingAsked() implements Taken {}
  }

  /** A new request taken up (see {@link Taken}). */
  Taken take(Observation o) {
    Requests r = o.policy().requests();
    UnitState s = o.state();
    if (s.unanswered(Kind.Switchover, r.switchoverTo())) return switchover(o);
    if (s.unanswered(Kind.Drill, r.drill())) return drill(o);
    return new Taken.NothingAsked();
  }

  /** A promotion under way ({@code d} continues it): a new request is refused; the one that started it is answered as it goes. */
  Decision whileUnderWay(Observation o, Decision d) {
    Intent i = o.state().intent();
    Requests r = o.policy().requests();
    for (Kind k : KINDS) {
      if (d.state().unanswered(k, r.value(k))) {
        d = refuse(
                k,
                r.value(k),
                o.now(),
                "a " + FailoverUnderWay.what(i) + " from " + i.former() + " to " + i.target()
                    + " is under way; ask again with a new value once it is done and the unit is Protected")
            .onto(d);
      }
    }
    return settle(o, d);
  }

  // ---------------------------------------------------------------- switchover

  private Taken switchover(Observation o) {
    Requests r = o.policy().requests();
    UnitState s = o.state();
    String value = r.switchoverTo();
    Instant now = o.now();
    String malformed = r.malformed(Kind.Switchover);
    if (malformed != null) return refuse(Kind.Switchover, value, now, malformed);
    String target = r.switchoverTarget();
    if (target.equals(s.primary()))
      return done(Kind.Switchover, value, now, target + " is already the primary: nothing to do");
    String why = whySwitchoverCannotStart(o, target);
    if (why != null) return refuse(Kind.Switchover, value, now, why);
    Member sb = o.member(s.standby()).orElseThrow();
    String message = "switchover asked (switchover-to " + value + "): switching from primary "
        + s.primary() + " to standby " + sb.pod() + ", in sync";
    UnitState asked = s.withAnswer(RequestAnswer.inProgress(
        Kind.Switchover, value, "switching over from " + s.primary() + " to " + sb.pod(), now));
    return new Taken.Started(PlannedSwitchover.start(
        o, asked, sb, StandbyAssessment.of(sb, o), PromotionReason.Chosen.Requested, message));
  }

  /** Why a planned switchover to {@code target} (a member or {@link Requests#ANY}) cannot start now, or null. */
  private String whySwitchoverCannotStart(Observation o, String target) {
    UnitState s = o.state();
    boolean any = Requests.ANY.equals(target);
    String standby = s.standby() == null ? "none yet" : s.standby();
    if (!any && !o.members().containsKey(target)) {
      return "unit " + o.policy().unit() + " has no member " + target + " (primary " + s.primary()
          + ", standby " + standby + "); name its standby, or any";
    }
    if (!any && !target.equals(s.standby())) {
      return target + " is not the unit's standby (standby: " + standby
          + "); only the standby holds the primary's state: name it, or any";
    }
    Member sb = o.member(s.standby()).orElse(null);
    if (sb == null) {
      return "the unit has no standby yet"
          + (s.standby() != null ? " (" + s.standby() + " is being created)" : "")
          + "; ask again with a new value once the unit is Protected";
    }
    if (o.policy().requests().fenced().contains(sb.pod()))
      return "standby " + sb.pod() + " is fenced (annotation fenced-members): unfence it first";
    String primary = unhealthyPrimary(o);
    if (primary != null) {
      return primary
          + "; a switchover needs a healthy primary to hand over (a failed primary is failed over when spec.failover.automatic is true)";
    }
    StandbyAssessment a = StandbyAssessment.of(sb, o);
    if (!a.inSync()) {
      return a.why()
          + ": switching now could lose updates; wait until condition Protected is True, then ask again with a new value (say "
          + sb.pod() + "@2)";
    }
    if (!CandidateRanking.promotable(a, o.policy())) {
      return a.why() + " but trails by " + a.lag() + " updates, more than maxPromotableLag "
          + o.policy().maxPromotableLag() + "; ask again with a new value once it has caught up";
    }
    return null;
  }

  // ---------------------------------------------------------------- drill

  private Taken drill(Observation o) {
    Requests r = o.policy().requests();
    UnitState s = o.state();
    String value = r.drill();
    Instant now = o.now();
    String malformed = r.malformed(Kind.Drill);
    if (malformed != null) return refuse(Kind.Drill, value, now, malformed);
    String primary = unhealthyPrimary(o);
    if (primary != null) {
      return refuse(
          Kind.Drill,
          value,
          now,
          primary
              + "; a drill measures the recovery of a healthy unit: ask again with a new value once it is Protected");
    }
    // The candidate a failure would promote, but only in sync: a drill must not lose more than the
    // unit's real RPO.
    CandidateRanking.Choice choice = ranking.choose(o);
    if (!choice.found()
        || !choice.assessment().inSync()
        || r.fenced().contains(choice.member().pod())) {
      String why = choice.found() && r.fenced().contains(choice.member().pod())
          ? "standby " + choice.member().pod() + " is fenced"
          : choice.assessment() != null ? choice.assessment().why() : choice.blockedMessage();
      return refuse(
          Kind.Drill,
          value,
          now,
          "no standby is in sync (" + why + "); a drill promotes only an in-sync standby: "
              + "wait until condition Protected is True, then ask again with a new value");
    }
    Member target = choice.member();
    Member former = o.member(s.primary()).orElseThrow();
    String message = "drill asked (drill " + value + "): promoting standby " + target.pod()
        + " at epoch " + (s.epoch() + 1) + " as if primary " + former.pod() + " had failed";
    Intent intent = new Intent(
        target.pod(),
        s.primary(),
        former.node(),
        s.epoch() + 1,
        PromotionReason.Chosen.Drill.name(),
        message,
        now,
        now,
        null,
        PromotionKind.Drill,
        choice.assessment().lag(),
        null);
    UnitState next = s.withIntent(intent)
        .withAnswer(RequestAnswer.inProgress(
            Kind.Drill,
            value,
            "promoting " + target.pod() + " as if " + former.pod() + " had failed",
            now));
    return new Taken.Started(new Decision(
        next,
        Phase.FailingOver,
        Conditions.failingOver(intent),
        List.of(new Emit(EventReason.DrillStarted, message, false)),
        true,
        Duration.ZERO));
  }

  /** Why the primary cannot take part in a planned move (failed, suspect, not ready), or null when it is healthy. */
  private String unhealthyPrimary(Observation o) {
    UnitState s = o.state();
    Member p = o.member(s.primary()).orElse(null);
    Verdict v = primaryHealth.evaluate(o);
    if (v.status() != Verdict.Status.Healthy)
      return "primary " + s.primary() + " is not healthy (" + v.describe() + ")";
    if (p.phase() != Member.PodPhase.Running || !p.ready())
      return "primary " + p.pod() + " is not ready";
    return null;
  }

  // ---------------------------------------------------------------- answers

  /**
   * The answer to the request that started a promotion: Done once the Service names the target (the decision that
   * switched it), Refused when the promotion ended before (aborted, saying why).
   */
  static Decision settle(Observation o, Decision d) {
    UnitState s = d.state();
    for (Kind k : KINDS) {
      RequestAnswer a = s.answer(k);
      if (a == null || a.state() != RequestAnswer.State.InProgress) continue;
      Intent i = s.intent();
      boolean ours = i != null
          && (k == Kind.Drill
              ? i.kind() == PromotionKind.Drill
              : i.planned() && i.cause() == PromotionReason.Chosen.Requested);
      if (ours && i.serviceSwitchedAt() != null) {
        s = s.withAnswer(
            RequestAnswer.done(k, a.value(), doneMessage(i, s.lastFailover()), o.now()));
        // The user chose where the primary runs: that is its home now (failback would otherwise
        // undo the move).
        if (k == Kind.Switchover) s = s.withHomeNode(null);
      } else if (!ours) {
        String why = d.actions().stream()
            .filter(x -> x instanceof Emit e && e.reason() == EventReason.FailoverAborted)
            .map(x -> ((Emit) x).message())
            .findFirst()
            .orElse("it ended before traffic moved");
        s = s.withAnswer(RequestAnswer.refused(
            k,
            a.value(),
            why + "; the primary is " + s.primary() + ": ask again with a new value",
            o.now()));
      }
    }
    return s.equals(d.state())
        ? d
        : new Decision(
            s, d.phase(), d.conditions(), d.actions(), d.persistStateFirst(), d.recheckAfter());
  }

  private static String doneMessage(Intent i, FailoverTimings t) {
    String moved = FailoverUnderWay.what(i) + " from " + i.former() + " to " + i.target()
        + " at epoch " + i.epoch() + ": the Service selects " + i.target();
    if (i.kind() != PromotionKind.Drill || t == null || t.trafficSwitched() == null) return moved;
    return moved + " " + t.trafficSwitched().toMillis() + " ms after the request"
        + (t.updatesLost() != null ? ", " + t.updatesLost() + " updates lost" : "")
        + " (status.history has its timings)";
  }

  private static Taken.Answered refuse(Kind kind, String value, Instant now, String why) {
    return new Taken.Answered(
        RequestAnswer.refused(kind, value, why, now),
        new Emit(EventReason.RequestRefused, label(kind, value) + " refused: " + why, true));
  }

  private static Taken.Answered done(Kind kind, String value, Instant now, String message) {
    return new Taken.Answered(
        RequestAnswer.done(kind, value, message, now),
        new Emit(EventReason.RequestDone, label(kind, value) + ": " + message, false));
  }

  private static String label(Kind kind, String value) {
    return (kind == Kind.Switchover ? "switchover-to" : "drill") + " '" + value + "'";
  }
}
