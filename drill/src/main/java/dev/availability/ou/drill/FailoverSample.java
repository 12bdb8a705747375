package dev.availability.ou.drill;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.e2e.client.ClientVerdict;

/**
 * One sample of bench/failover: the client's outage and loss, and from the unit's own record when the failover was
 * detected (and by what), the Service switched and the endpoints followed (-1 and "" where there is no record).
 */
record FailoverSample(
    long outageMillis,
    long lost,
    long trafficSwitchedMillis,
    long detectionMillis,
    long promotionMillis,
    String reason) {

  /** The client's figures and the unit's last failover record (null when it has none). */
  static FailoverSample of(ClientVerdict v, FailoverRecord r) {
    return new FailoverSample(
        v.outageMillis(),
        v.lost(),
        r == null || r.getTrafficSwitchedMillis() == null ? -1 : r.getTrafficSwitchedMillis(),
        r == null || r.getDetectionMillis() == null ? -1 : r.getDetectionMillis(),
        r == null || r.getPromotionMillis() == null ? -1 : r.getPromotionMillis(),
        r == null || r.getReason() == null ? "" : r.getReason());
  }

  /** A baseline's sample: no record of its own. */
  static FailoverSample baseline(long outageMillis, long lost) {
    return new FailoverSample(outageMillis, lost, -1, -1, -1, "");
  }

  /** The sample's part of a line of the benchmark's output, for the unit of {@code durability}. */
  String line(Object durability) {
    return String.format(
        "%s %d ms (lost %d; by its status: detected at %d ms by %s, Service switched at %d ms,"
            + " endpoints at %d ms); ",
        durability,
        outageMillis,
        lost,
        detectionMillis,
        reason,
        detectionMillis + promotionMillis,
        trafficSwitchedMillis);
  }
}
