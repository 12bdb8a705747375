package dev.availability.ou.failover;

import java.time.Duration;

/**
 * What a member's sidecar runs by, computed in this one place from the unit's spec (its mode, and the timings of
 * its recovery budget: {@link Thresholds}). The operator writes them into the pod at creation and into every
 * assignment; a member whose assignment carries other settings is assigned again, so an edit reaches running
 * sidecars without replacing a pod.
 */
public record MemberSettings(
    UnitPolicy.Mode mode,
    Duration heartbeatInterval,
    Duration peerLostAfter,
    Duration leaseDuration,
    Duration leaseSafetyMargin) {

  public static MemberSettings of(UnitPolicy.Mode mode, Thresholds t) {
    return new MemberSettings(
        mode, t.heartbeatInterval(), t.peerLostAfter(), t.leaseDuration(), t.leaseSafetyMargin());
  }
}
