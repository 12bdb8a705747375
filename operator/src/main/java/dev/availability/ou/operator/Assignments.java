package dev.availability.ou.operator;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.MemberSettings;
import dev.availability.ou.failover.UnitPolicy;
import java.time.Duration;

/** The contract's assignment as the core's settings make it, and the settings an assignment carries. Pure. */
final class Assignments {
  private Assignments() {}

  static Assignment of(Role role, long epoch, String peer, MemberSettings s) {
    return of(role, epoch, peer, null, s);
  }

  /** With a primary's catching-up next peer (make-before-break), or null. */
  static Assignment of(Role role, long epoch, String peer, String nextPeer, MemberSettings s) {
    return new Assignment(
        role,
        epoch,
        peer,
        s.mode().name(),
        new Assignment.Timing(
            s.heartbeatInterval().toMillis(),
            s.peerLostAfter().toMillis(),
            s.leaseDuration().toMillis(),
            s.leaseSafetyMargin().toMillis()),
        s.quarantined(),
        s.unavailableDependencies(),
        nextPeer);
  }

  /** The settings {@code a} carries; null when it carries none (written by an older operator) or a mode not known. */
  static MemberSettings settings(Assignment a) {
    if (a == null || a.timing() == null || a.mode() == null) return null;
    UnitPolicy.Mode mode;
    try {
      mode = UnitPolicy.Mode.valueOf(a.mode());
    } catch (IllegalArgumentException e) {
      return null; // assigned again, with the unit's
    }
    Assignment.Timing t = a.timing();
    return new MemberSettings(
        mode,
        Duration.ofMillis(t.heartbeatMillis()),
        Duration.ofMillis(t.peerLostAfterMillis()),
        Duration.ofMillis(t.leaseDurationMillis()),
        Duration.ofMillis(t.leaseSafetyMarginMillis()),
        a.quarantined(),
        a.unavailableDependencies());
  }
}
