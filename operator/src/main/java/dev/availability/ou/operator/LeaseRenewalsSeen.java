package dev.availability.ou.operator;

import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this operator first saw each renewal of the units' primary leases, by its own clock. A lease's renewTime
 * is the holder's wall clock: the operator only notices that it changed and never compares it with its own (as
 * Kubernetes leader election measures elapsed time since it observed a renewal), so a primary's clock running
 * ahead can neither keep its lease alive longer nor let another be promoted while it still acknowledges.
 * Fed by the lease informer's events: renewals do not trigger reconciles, so a reconcile may see one late.
 */
final class LeaseRenewalsSeen {
  private record Seen(String holder, String renewTime, Instant at) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Clock clock;
  // The last moment the operator could not see renewals (its watch of the leases was down): a
  // renewal it could not see must not count as missed, or every primary would fail over as soon as
  // the API server came back.
  private volatile Instant blindAt;

  LeaseRenewalsSeen(Clock clock) {
    this.clock = clock;
  }

  /** The informer delivered {@code lease} (added, or changed in any way). */
  void observed(Lease lease) {
    seenAt(lease, clock.instant());
  }

  /** The operator's watch of the leases is down now (the API server does not answer). */
  void blind() {
    blindAt = clock.instant();
  }

  void forget(Lease lease) {
    seen.remove(key(lease));
  }

  /**
   * When the renewal {@code lease} shows was first seen; one not seen before (the operator just started, or the
   * cache is ahead of the events) counts from {@code now}: later is the safe side. A renewal seen before the
   * operator last went blind counts from then. Null when it was never renewed.
   */
  Instant seenAt(Lease lease, Instant now) {
    if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null) {
      if (lease != null) seen.remove(key(lease));
      return null;
    }
    String holder = lease.getSpec().getHolderIdentity();
    String renewTime = lease.getSpec().getRenewTime().toString();
    Instant at = seen.compute(
            key(lease),
            (k, old) -> old != null
                    && Objects.equals(old.holder(), holder)
                    && old.renewTime().equals(renewTime)
                ? old
                : new Seen(holder, renewTime, now))
        .at();
    // After the blindness one more lease duration: the holder's calls sent while the API server was
    // coming back may still be timing out when the watch is back (seen: both drill primaries failed
    // over 2 s after it).
    Instant blind = blindAt == null ? null : blindAt.plus(duration(lease));
    return blind != null && blind.isAfter(at) ? blind : at;
  }

  private static Duration duration(Lease lease) {
    var annotations = lease.getMetadata().getAnnotations();
    String ms =
        annotations == null ? null : annotations.get(ContractKeys.LEASE_DURATION_MS_ANNOTATION);
    try {
      if (ms != null && Long.parseLong(ms.strip()) > 0)
        return Duration.ofMillis(Long.parseLong(ms.strip()));
    } catch (NumberFormatException e) {
      // the lease's own duration below
    }
    Integer seconds = lease.getSpec().getLeaseDurationSeconds();
    return Duration.ofSeconds(seconds == null || seconds <= 0 ? 0 : seconds);
  }

  private static String key(Lease lease) {
    return lease.getMetadata().getNamespace() + "/" + lease.getMetadata().getName();
  }
}
