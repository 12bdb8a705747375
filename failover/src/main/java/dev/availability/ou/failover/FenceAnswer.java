package dev.availability.ou.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The Fence entry of {@code status.requests}: what the fenced-members value did ({@link Fencing}). */
final class FenceAnswer {
  private FenceAnswer() {}

  /**
   * The Fence entry of {@code status.requests}: what the fenced-members value did, member by member, and how to undo
   * it. Fencing is a standing request, so the answer follows the unit (InProgress while a fenced primary is failed
   * over, Refused while a name is malformed or names no member, else Done); it changes only when its words do.
   */
  static Decision answer(Observation o, Decision d) {
    Requests r = o.policy().requests();
    String value = r.fencedMembers();
    RequestAnswer before = d.state().answer(Requests.Kind.Fence);
    if (value == null && before == null) return d;
    UnitState s = d.state();
    List<String> parts = new ArrayList<>();
    RequestAnswer.State state = RequestAnswer.State.Done;
    String malformed = r.malformed(Requests.Kind.Fence);
    if (malformed != null) {
      parts.add(malformed);
      state = RequestAnswer.State.Refused;
    }
    for (String pod : r.fenced()) {
      Intent i = s.intent();
      if (pod.equals(s.primary()) && i != null && pod.equals(i.former())) {
        parts.add("failing over from fenced primary " + pod + " to " + i.target() + " at epoch "
            + i.epoch());
        if (state == RequestAnswer.State.Done) state = RequestAnswer.State.InProgress;
      } else if (pod.equals(s.primary())) {
        parts.add(d.conditions().stream()
            .filter(c ->
                c.type() == ConditionType.Degraded && c.hasReason(ConditionReason.PrimaryFenced))
            .map(ConditionView::message)
            .findFirst()
            .orElse("primary " + pod + " is fenced"));
      } else if (pod.equals(s.standby())) {
        FailoverTimings t = s.lastFailover();
        boolean failedOver =
            t != null && pod.equals(t.former()) && t.cause() == PromotionReason.Chosen.Fenced;
        parts.add((failedOver
                ? "failed over from " + pod + " to " + t.newPrimary() + " at epoch " + t.epoch()
                    + "; "
                : "")
            + Fencing.standbyMessage(o, pod));
      } else if (o.members().containsKey(pod)) {
        parts.add(
            "member " + pod
                + " is fenced and kept for inspection (neither primary nor standby: it is removed once unfenced)");
      } else if (malformed == null || !malformed.contains("'" + pod + "'")) {
        parts.add(pod + " is no member of unit " + o.policy().unit()
            + ": nothing is fenced under that name");
        state = RequestAnswer.State.Refused;
      }
    }
    String message = parts.isEmpty() ? "no member is fenced" : String.join("; ", parts);
    if (before != null
        && Objects.equals(before.value(), value)
        && before.state() == state
        && message.equals(before.message())) return d;
    RequestAnswer a = new RequestAnswer(Requests.Kind.Fence, value, state, message, o.now());
    return new Decision(
        s.withAnswer(a),
        d.phase(),
        d.conditions(),
        d.actions(),
        d.persistStateFirst(),
        d.recheckAfter());
  }
}
