package dev.availability.ou.failover;

import java.util.ArrayList;
import java.util.List;

/**
 * A failover under way (the unit's status holds an {@link Intent}): first lease, fence and promotion, and once the
 * target's sidecar took it, the Service switch ({@link FailoverPromotion}); then the former primary removed and a new
 * standby scheduled ({@link FailoverCompletion}). Or the promotion is called off before traffic moved
 * ({@link FailoverAbort}). Pure.
 */
final class FailoverUnderWay {
  private FailoverUnderWay() {}

  /**
   * What the promotion under way came to: a decision, or a planned promotion called off, after which the steady step
   * goes on from the state it left (the decider takes the two in sequence).
   */
  sealed interface Outcome {
    record Decided(Decision decision) implements Outcome {}

    /** A switchover or a drill called off: {@code state} (no intent) and {@code actions} come before the steady step's. */
    record CalledOff(UnitState state, List<Action> actions) implements Outcome {
      /** The steady step's decision {@code d}, taken from {@link #state}, after the abort's actions, persisted first. */
      Decision then(Decision d) {
        List<Action> all = new ArrayList<>(actions);
        all.addAll(d.actions());
        return new Decision(d.state(), d.phase(), d.conditions(), all, true, d.recheckAfter());
      }
    }
  }

  static Outcome continueFailover(Observation o) {
    UnitState s = o.state();
    if (!s.intent().target().equals(s.primary())) return FailoverPromotion.promote(o);
    return new Outcome.Decided(FailoverCompletion.complete(o));
  }

  static String what(Intent i) {
    return switch (i.kind()) {
      case Failover -> "failover";
      case Switchover -> "switchover";
      case Drill -> "drill";
    };
  }
}
