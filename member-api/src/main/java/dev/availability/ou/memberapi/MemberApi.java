package dev.availability.ou.memberapi;

import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The four API-server operations a member needs, and nothing more: watch its own pod, merge-patch its own
 * pod, read another pod, read and update the unit's primary Lease. Bound to one namespace.
 * {@link MemberChannel} holds the contract's logic on top of it; two implementations carry the calls:
 * {@link HttpMemberApi} (the JDK's HTTP client and jackson-core only, for the sidecar that runs in every pod)
 * and {@code Fabric8MemberApi} in {@code e2e/} (the Fabric8 client the e2e test doubles have anyway). Failures are {@link MemberApiException}s.
 */
public interface MemberApi extends AutoCloseable {

  /** What a member reads of a pod. Maps are never null; {@code podIP} is null until the kubelet gave it one. */
  record PodMeta(
      String name, Map<String, String> labels, Map<String, String> annotations, String podIP) {
    public PodMeta {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public PodMeta(String name, Map<String, String> labels, Map<String, String> annotations) {
      this(name, labels, annotations, null);
    }
  }

  /**
   * What a member reads of a Lease, plus the object as read ({@code handle}, owned by the implementation),
   * which an update is made against (its resourceVersion makes the update optimistic).
   */
  record LeaseState(
      String name,
      String resourceVersion,
      String holderIdentity,
      Integer leaseDurationSeconds,
      Map<String, String> annotations,
      Object handle) {
    public LeaseState {
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The epoch the lease was given at (its annotation), or null. */
    public String epoch() {
      return annotations.get(dev.availability.ou.contract.ContractKeys.LEASE_EPOCH_ANNOTATION);
    }

    /** Whether the lease names {@code holder} at {@code epoch}: only then may that member renew it. */
    public boolean heldBy(String holder, long epoch) {
      return holder.equals(holderIdentity) && String.valueOf(epoch).equals(epoch());
    }
  }

  /**
   * Watches pod {@code name} and calls {@code onPod} with the pod as first seen and after every change
   * (including again after a relist: callers deduplicate). The first list happens before this returns and
   * its failure is thrown; later failures are retried and described to {@code onTrouble}. Deletions are not
   * reported. Closing the returned handle stops the watch.
   */
  AutoCloseable watchPod(String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble);

  /** Applies a JSON merge patch (RFC 7386) to pod {@code name}. */
  void mergePatchPod(String name, String mergePatchJson);

  /** Pod {@code name}, or null when it does not exist. */
  PodMeta getPod(String name);

  /** Lease {@code name}, or null when it does not exist. */
  LeaseState getLease(String name);

  /**
   * Updates (PUT) the lease as read in {@code lease} with {@code spec.renewTime} set to {@code renewTime} and, unless
   * {@code duration} is null, its duration (the annotation in milliseconds and {@code spec.leaseDurationSeconds});
   * returns the lease as written. A lease changed since it was read fails with status 409.
   */
  LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration);

  /**
   * Renews lease {@code name} when it names {@code holder} at {@code epoch}, without reading it first; null when it does
   * not (or does not exist). A member just promoted knows neither the lease's resourceVersion nor the rest of it: one
   * request then, not a read and an update, on the path that decides when it may serve. This default reads and
   * updates; {@link HttpMemberApi} sends one JSON patch whose tests the API server checks atomically with the write.
   */
  default LeaseState renewLeaseHeldBy(String name, String holder, long epoch, Instant renewTime) {
    LeaseState lease = getLease(name);
    return lease == null || !lease.heldBy(holder, epoch)
        ? null
        : renewLease(lease, renewTime, null);
  }

  default LeaseState renewLease(LeaseState lease, Instant renewTime) {
    return renewLease(lease, renewTime, null);
  }

  /** Releases what the implementation owns (not a client it was given). */
  @Override
  void close();
}
