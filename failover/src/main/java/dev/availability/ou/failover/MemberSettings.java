package dev.availability.ou.failover;

import java.time.Duration;
import java.util.List;

/**
 * What a member's sidecar runs by, computed in this one place from the unit's spec (its mode, and the timings of
 * its recovery budget: {@link Thresholds}) and, from the status, the stimuli under quarantine. The operator writes
 * them into the pod at creation and into every assignment; a member whose assignment carries other settings is
 * assigned again, so an edit (or a new quarantine) reaches running sidecars without replacing a pod.
 *
 * @param quarantined ids of the stimuli the application must not reprocess ({@link PoisonQuarantine})
 * @param unavailableDependencies the units it depends on that are unavailable now ({@link DependencyWatch})
 */
public record MemberSettings(
    UnitPolicy.Mode mode,
    Duration heartbeatInterval,
    Duration peerLostAfter,
    Duration leaseDuration,
    Duration leaseSafetyMargin,
    List<String> quarantined,
    List<String> unavailableDependencies) {

  public MemberSettings {
    quarantined = quarantined == null ? List.of() : List.copyOf(quarantined);
    unavailableDependencies =
        unavailableDependencies == null ? List.of() : List.copyOf(unavailableDependencies);
  }

  public MemberSettings(
      UnitPolicy.Mode mode,
      Duration heartbeatInterval,
      Duration peerLostAfter,
      Duration leaseDuration,
      Duration leaseSafetyMargin,
      List<String> quarantined) {
    this(
        mode,
        heartbeatInterval,
        peerLostAfter,
        leaseDuration,
        leaseSafetyMargin,
        quarantined,
        List.of());
  }

  public static MemberSettings of(UnitPolicy.Mode mode, Thresholds t) {
    return new MemberSettings(
        mode,
        t.heartbeatInterval(),
        t.peerLostAfter(),
        t.leaseDuration(),
        t.leaseSafetyMargin(),
        List.of());
  }

  /** The settings of a unit whose status holds {@code s}: the spec's, with its quarantined stimuli. */
  public static MemberSettings of(UnitPolicy policy, UnitState s) {
    return policy.memberSettings().withQuarantined(s.quarantinedIds());
  }

  public MemberSettings withQuarantined(List<String> ids) {
    return new MemberSettings(
        mode,
        heartbeatInterval,
        peerLostAfter,
        leaseDuration,
        leaseSafetyMargin,
        ids,
        unavailableDependencies);
  }

  public MemberSettings withUnavailableDependencies(List<String> names) {
    return new MemberSettings(
        mode,
        heartbeatInterval,
        peerLostAfter,
        leaseDuration,
        leaseSafetyMargin,
        quarantined,
        names);
  }
}
