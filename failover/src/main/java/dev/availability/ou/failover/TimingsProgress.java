package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The last promotion's timings completed as the unit recovers: when the endpoints named the new primary, and when a
 * standby was in sync again (told once, as {@link EventReason#ProtectionRestored}). Pure.
 */
final class TimingsProgress {
  private TimingsProgress() {}

  /** The state with the newest history entry completed by what {@code o} shows now; adds the event it tells. */
  static UnitState record(Observation o, UnitState s, Phase phase, List<Action> actions) {
    FailoverTimings t = s.lastFailover();
    if (t == null) return s;
    if (t.endpointsSwitchedAt() == null
        && t.serviceSwitchedAt() != null
        && o.service().endpointMembers().equals(Set.of(t.newPrimary()))) {
      t = t.withEndpointsSwitchedAt(o.now());
    }
    if (t.standbyReadyAt() == null && phase == Phase.Protected) {
      t = t.withStandbyReadyAt(o.now());
      actions.add(new Emit(
          EventReason.ProtectionRestored,
          "standby " + s.standby() + " is in sync: the unit is protected again",
          false));
    }
    return Objects.equals(t, s.lastFailover()) ? s : s.withLastFailover(t);
  }
}
