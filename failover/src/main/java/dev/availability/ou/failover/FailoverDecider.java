package dev.availability.ou.failover;

/**
 * The availability manager's brain: one pure step from an {@link Observation} to a {@link Decision}.
 * Called again after every change (and at the times it asks for), it walks a unit through
 * bootstrap → steady state → failover (intent written first; then lease, fence and promotion; once the
 * target's sidecar took it, the Service switch; then the former primary removed and a new standby
 * scheduled) → steady state. Every step is idempotent, so an operator that restarts anywhere resumes from
 * what the status and the pods say.
 *
 * <p>This class only dispatches. The steps: {@link Bootstrap} (create or adopt members), {@link SteadyState}
 * (watch, repair, protect; {@link PrimaryFailure} when the primary failed), {@link FailoverUnderWay} (a promotion
 * under way), {@link RequestDecider} (the user's switchover and drill requests), then, whatever the step,
 * {@link Fencing#enforce}, {@link FenceAnswer}, {@link Pause}, {@link SidecarMemory} (a condition and its event) and
 * {@link FailoverLoop} (automatic failover suspended after a loop of failovers, and its resumption) and
 * {@link PoisonQuarantine} (a stimulus both copies failed on set aside).
 */
public final class FailoverDecider {
  private final SteadyState steady;
  private final RequestDecider requests;

  public FailoverDecider() {
    PrimaryHealthEvaluator primaryHealth = new PrimaryHealthEvaluator();
    CandidateRanking ranking = new CandidateRanking();
    steady = new SteadyState(primaryHealth, ranking);
    requests = new RequestDecider(primaryHealth, ranking);
  }

  /** The decision taken: what the unit needs, with fenced members kept fenced, held when the unit is paused. */
  public Decision decide(Observation o) {
    return PoisonQuarantine.apply(
        o,
        FailoverLoop.apply(
            o,
            SidecarMemory.apply(
                o, Pause.apply(o, FenceAnswer.answer(o, Fencing.enforce(o, act(o)))))));
  }

  private Decision act(Observation o) {
    if (o.state().intent() != null) return requests.whileUnderWay(o, underWay(o));
    if (!Bootstrap.needed(o)) return requested(o);
    UnitState adopted = Bootstrap.adopt(o);
    return adopted != null ? steady.decide(o.withState(adopted)) : Bootstrap.create(o);
  }

  /** A new request starts a promotion, or is answered on top of the steady step, which otherwise decides alone. */
  private Decision requested(Observation o) {
    Decision d = switch (requests.take(o)) {
      case RequestDecider.Taken.Started started -> started.decision();
      case RequestDecider.Taken.Answered answered -> answered.onto(steady.decide(o));
      case RequestDecider.Taken.NothingAsked nothing -> steady.decide(o);
    };
    return RequestDecider.settle(o, d);
  }

  /** The promotion under way; a switchover or a drill called off goes on with the steady step, from the state it left. */
  private Decision underWay(Observation o) {
    return switch (FailoverUnderWay.continueFailover(o)) {
      case FailoverUnderWay.Outcome.Decided d -> d.decision();
      case FailoverUnderWay.Outcome.CalledOff c -> c.then(steady.decide(o.withState(c.state())));
    };
  }
}
