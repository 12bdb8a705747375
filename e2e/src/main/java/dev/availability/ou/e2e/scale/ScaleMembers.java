package dev.availability.ou.e2e.scale;

import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.memberapi.ApiServerAccess;
import dev.availability.ou.memberapi.HttpMemberApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the sidecars of every unit pod of a namespace for the scale benchmark, in one process. Each member runs the
 * real sidecar's control path: {@link dev.availability.ou.memberapi.MemberChannel} over {@link HttpMemberApi} (the
 * sidecar's own HTTP client: the same requests, the same user agent, a watch of its own pod), at the sidecar's
 * cadence (see {@link ScaleMember}). Blocking calls run on virtual threads, so a slow answer holds up only that
 * member, as with real sidecars each in its own process; the doubles of {@code SidecarDoubles} share four threads
 * and fell behind at 300 units. Pods are found by an informer on the benchmark's own (admin) client, which is not
 * counted as the members' traffic.
 */
public final class ScaleMembers implements AutoCloseable {
  private final HttpMemberApi http;
  private final CountingMemberApi api;
  private final Map<String, ScaleMember> members = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> pods;
  final MillisHistogram renewalLatency = new MillisHistogram(10_000);
  final MillisHistogram renewalGaps = new MillisHistogram(30_000);

  /** Members authenticate with the token in {@code access} (their own ServiceAccount, so the API server tells them apart). */
  public ScaleMembers(KubernetesClient admin, String namespace, ApiServerAccess access) {
    this.http = new HttpMemberApi(access, namespace);
    this.api = new CountingMemberApi(http);
    this.pods = admin
        .pods()
        .inNamespace(namespace)
        .withLabel(ContractKeys.UNIT_LABEL)
        .inform(dev.availability.ou.e2e.PodEvents.handler(
            this::seen, p -> stop(p.getMetadata().getName())));
  }

  private void seen(Pod p) {
    String name = p.getMetadata().getName();
    if (p.getMetadata().getDeletionTimestamp() != null) {
      stop(name);
      return;
    }
    String phase = Optional.ofNullable(p.getStatus()).map(s -> s.getPhase()).orElse(null);
    String ip = Optional.ofNullable(p.getStatus()).map(s -> s.getPodIP()).orElse(null);
    ScaleMember m = members.get(name);
    if (m != null) {
      if (ip != null) m.ip = ip;
      return;
    }
    if (!"Running".equals(phase)) return;
    m = new ScaleMember(
        this,
        api,
        name,
        ip == null ? "0.0.0.0" : ip,
        dev.availability.ou.e2e.SidecarEnv.get(p, "OU_MODE"),
        dev.availability.ou.e2e.SidecarEnv.millis(p, "OU_PEER_LOST_AFTER", 2000));
    if (members.putIfAbsent(name, m) == null) m.start();
  }

  private void stop(String pod) {
    ScaleMember m = members.remove(pod);
    if (m != null) m.close();
  }

  ScaleMember member(String pod) {
    return members.get(pod);
  }

  /** The member of {@code pod} stops everything (a hung sidecar): no renewal, no report. */
  public void freeze(String pod) {
    ScaleMember m = members.get(pod);
    if (m == null)
      throw new IllegalStateException("no member double for pod " + pod + " (not running yet?)");
    m.frozen = true;
  }

  /**
   * Whether the standby double of {@code pod} has written a report saying it is in sync at {@code epoch}. A KWOK
   * pod is Ready as soon as it runs, and the operator takes a standby's readiness as its word until its first report
   * (a real sidecar's readiness probe passes only once in sync), so the unit's phase alone can say Protected a
   * second before its standby could be promoted: faulting it then blocks the failover (seen: the baseline's first
   * fault).
   */
  boolean reportedInSync(String pod, long epoch) {
    ScaleMember m = pod == null ? null : members.get(pod);
    return m != null && m.reportedInSyncEpoch == epoch;
  }

  public int size() {
    return members.size();
  }

  /** The members' calls so far, counted on their side, by "verb resource". */
  public Map<String, Long> counts() {
    Map<String, Long> m = new java.util.TreeMap<>(api.counts());
    m.put("watch pods (connections)", http.watchConnections());
    m.put("list pods (relists)", http.relists());
    return m;
  }

  @Override
  public void close() {
    pods.close();
    members.values().forEach(ScaleMember::close);
    members.clear();
    http.close();
  }
}
