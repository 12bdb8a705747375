package dev.availability.ou.samples.kvstore;

import java.time.Duration;

/**
 * How long the store keeps serving after SIGTERM. Deleting the primary's pod ({@code kubectl delete pod}, an eviction,
 * a rolling update) makes the operator promote the standby; until the standby has taken over, this member is the only
 * one that can acknowledge a write. So a serving primary keeps serving until its sidecar says it is no longer the
 * serving primary (the operator deposed it) or {@code max} has passed; anything else stops at once. Its pod stays
 * Ready meanwhile, and a Service whose only endpoint is terminating but serving still sends it traffic (kube-proxy
 * since Kubernetes 1.28): the deletion costs clients the switch, not the time to notice it. Pure: the caller polls.
 */
record ShutdownDrain(Duration max) {
  /** {@code KVSTORE_DRAIN_MAX} (default 25s: below the pod's default 30 s grace period, so the kubelet never kills it mid-write). */
  static ShutdownDrain fromEnv(String value) {
    return new ShutdownDrain(
        value == null || value.isBlank()
            ? Duration.ofSeconds(25)
            : Duration.parse("PT" + value.trim().toUpperCase(java.util.Locale.ROOT)));
  }

  /**
   * @param servingPrimary whether the store is the unit's serving primary now
   * @param elapsed since SIGTERM
   * @return null to go on serving, else why to stop now
   */
  String stopBecause(boolean servingPrimary, Duration elapsed) {
    if (!servingPrimary) return "not the serving primary";
    if (elapsed.compareTo(max) >= 0)
      return "still the primary after " + max.toMillis()
          + " ms, the most it drains (KVSTORE_DRAIN_MAX)";
    return null;
  }
}
