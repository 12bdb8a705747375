package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Assignment;
import java.time.Duration;

/**
 * The sidecar's timings that follow the unit's recovery budget: from the environment at start, then from every
 * assignment, where the operator computes them once for the unit, so an edit of the budget reaches a running sidecar
 * without a new pod. Read at each use: a link takes a new heartbeat at its next beat, the lease keeper writes a new
 * lease duration with its next renewal (at once: {@link LeaseKeeper}).
 */
public final class Timing {
  private volatile long heartbeatMillis;
  private volatile long peerLostAfterMillis;
  private volatile long leaseSafetyMarginMillis;
  /** The lease duration the operator wants, or 0: whatever the Lease says (standalone, or an older operator). */
  private volatile long leaseDurationMillis;

  Timing(long heartbeatMillis, long peerLostAfterMillis, long leaseSafetyMarginMillis) {
    this.heartbeatMillis = heartbeatMillis;
    this.peerLostAfterMillis = peerLostAfterMillis;
    this.leaseSafetyMarginMillis = leaseSafetyMarginMillis;
  }

  public long heartbeatMillis() {
    return heartbeatMillis;
  }

  public long peerLostAfterMillis() {
    return peerLostAfterMillis;
  }

  public long leaseSafetyMarginMillis() {
    return leaseSafetyMarginMillis;
  }

  /** The lease duration to write with the next renewal, or null to keep the Lease's. */
  public Duration leaseDuration() {
    long d = leaseDurationMillis;
    return d > 0 ? Duration.ofMillis(d) : null;
  }

  /** Takes the assignment's timings (none: an operator that sends none; values that are not positive are ignored). */
  void apply(Assignment.Timing t) {
    if (t == null
        || t.heartbeatMillis() <= 0
        || t.peerLostAfterMillis() <= 0
        || t.leaseDurationMillis() <= 0
        || t.leaseSafetyMarginMillis() < 0) return;
    heartbeatMillis = t.heartbeatMillis();
    peerLostAfterMillis = t.peerLostAfterMillis();
    leaseSafetyMarginMillis = t.leaseSafetyMarginMillis();
    leaseDurationMillis = t.leaseDurationMillis();
  }

  @Override
  public String toString() {
    return "heartbeat " + heartbeatMillis + " ms, peer lost after " + peerLostAfterMillis
        + " ms, lease safety margin " + leaseSafetyMarginMillis + " ms"
        + (leaseDurationMillis > 0 ? ", lease duration " + leaseDurationMillis + " ms" : "");
  }
}
