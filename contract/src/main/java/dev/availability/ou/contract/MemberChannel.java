package dev.availability.ou.contract;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A member's side of the contract, through the API server: learn the assignment from its own pod,
 * publish its report on its own pod, renew the unit's primary lease. Used by the real sidecar and by
 * the test double alike, so the two cannot drift apart.
 */
public final class MemberChannel implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final String pod;
  private final Clock clock;
  private final AtomicReference<Assignment> assignment = new AtomicReference<>();
  private final AtomicReference<MemberReport> published = new AtomicReference<>();
  private final AtomicReference<Lease> lastLease = new AtomicReference<>();
  private volatile SharedIndexInformer<Pod> informer;
  private volatile String unit;

  public MemberChannel(KubernetesClient client, String namespace, String pod, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.pod = pod;
    this.clock = clock;
  }

  public String pod() {
    return pod;
  }

  /** The unit this member belongs to (from its pod's label), once the pod has been seen. */
  public String unit() {
    return unit;
  }

  /** Watches the member's own pod and calls the listener with every changed assignment. */
  public void onAssignment(Consumer<Assignment> listener) {
    informer = client.pods().inNamespace(namespace).withName(pod).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Pod p) { seen(p, listener); }
      @Override public void onUpdate(Pod old, Pod p) { seen(p, listener); }
      @Override public void onDelete(Pod p, boolean unknownState) {}
    });
  }

  private void seen(Pod p, Consumer<Assignment> listener) {
    Map<String, String> labels = p.getMetadata().getLabels();
    if (labels != null) unit = labels.get(ContractKeys.UNIT_LABEL);
    Map<String, String> annotations = p.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ContractKeys.ASSIGNMENT_ANNOTATION);
    if (json == null) return;
    Assignment next;
    try {
      next = Assignment.fromJson(json);
    } catch (IllegalArgumentException e) {
      return; // not ours to fix; the operator rewrites it
    }
    Assignment previous = assignment.get();
    if (previous != null && next.epoch() < previous.epoch()) return; // never step back to an older epoch
    if (!Objects.equals(previous, next) && assignment.compareAndSet(previous, next)) listener.accept(next);
  }

  public Assignment assignment() {
    return assignment.get();
  }

  /** How often an unchanged report is rewritten anyway, to refresh sequence and lag figures. */
  public static final Duration REPORT_REFRESH = Duration.ofSeconds(10);

  /**
   * Writes the report on the member's own pod when its facts changed, or when the last write is older than
   * {@link #REPORT_REFRESH}; returns whether it wrote. One write per change keeps the API server's load
   * proportional to events, not to traffic.
   */
  public boolean publish(MemberReport report) {
    MemberReport last = published.get();
    if (report.sameFactsAs(last) && report.reportedAtMillis() - last.reportedAtMillis() < REPORT_REFRESH.toMillis()) return false;
    String patch = Json.write(Map.of("metadata", Map.of("annotations", Map.of(ContractKeys.REPORT_ANNOTATION, report.toJson()))));
    client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    published.set(report);
    return true;
  }

  /** Forget what was published, so the next report is written even if unchanged (after a reconnect). */
  public void republish() {
    published.set(null);
  }

  /** The replication endpoint the peer advertises in its report, or null when it has not reported one. */
  public String peerReplicationEndpoint(String peerPod) {
    Pod peer = client.pods().inNamespace(namespace).withName(peerPod).get();
    if (peer == null || peer.getMetadata().getAnnotations() == null) return null;
    String json = peer.getMetadata().getAnnotations().get(ContractKeys.REPORT_ANNOTATION);
    if (json == null) return null;
    try {
      return MemberReport.fromJson(json).replicationEndpoint();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The outcome of a lease renewal. */
  public record Renewal(boolean held, Duration leaseDuration, String reason) {}

  /**
   * Renews the unit's primary lease if this member holds it at {@code epoch}. A primary whose renewal
   * fails must stop acknowledging writes before {@code leaseDuration} has passed since its last success.
   */
  public Renewal renewPrimaryLease(String unitName, long epoch) {
    String name = ContractKeys.primaryLeaseName(unitName);
    for (int attempt = 0; attempt < 2; attempt++) {
      // One write per renewal: the lease from the last success carries the resourceVersion to update
      // against; only a conflict (someone else wrote it) costs a read.
      Lease lease = lastLease.get();
      if (lease == null || !name.equals(lease.getMetadata().getName())) {
        lease = client.leases().inNamespace(namespace).withName(name).get();
        if (lease == null) return new Renewal(false, Duration.ZERO, "lease " + name + " does not exist");
      }
      Duration duration = leaseDuration(lease);
      String holder = lease.getSpec().getHolderIdentity();
      String leaseEpoch = lease.getMetadata().getAnnotations() == null ? null
          : lease.getMetadata().getAnnotations().get(ContractKeys.LEASE_EPOCH_ANNOTATION);
      if (!pod.equals(holder) || !String.valueOf(epoch).equals(leaseEpoch)) {
        lastLease.set(null);
        return new Renewal(false, duration, "lease held by " + holder + " at epoch " + leaseEpoch);
      }
      lease.getSpec().setRenewTime(java.time.ZonedDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
      try {
        lastLease.set(client.leases().inNamespace(namespace).resource(lease).update());
        return new Renewal(true, duration, "renewed");
      } catch (KubernetesClientException e) {
        lastLease.set(null);
        if (e.getCode() != 409) return new Renewal(false, duration, "renewal failed: " + e.getMessage());
      }
    }
    return new Renewal(false, Duration.ZERO, "lease kept changing under the renewal");
  }

  static Duration leaseDuration(Lease lease) {
    Map<String, String> annotations = lease.getMetadata().getAnnotations();
    String ms = annotations == null ? null : annotations.get(ContractKeys.LEASE_DURATION_MS_ANNOTATION);
    if (ms != null) return Duration.ofMillis(Long.parseLong(ms));
    Integer seconds = lease.getSpec().getLeaseDurationSeconds();
    return Duration.ofSeconds(seconds == null ? 15 : seconds);
  }

  @Override
  public void close() {
    if (informer != null) informer.close();
  }
}
