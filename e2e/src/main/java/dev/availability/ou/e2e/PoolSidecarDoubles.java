package dev.availability.ou.e2e;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the pooled sidecar of a namespace's standby-pool pods, which KWOK cannot run: for each unit a pool pod is
 * labelled to hold, a replica on the real contract code ({@link MemberChannel} scoped to that unit) follows the
 * unit's own assignment on the pod and publishes its own report; as a standby it is in sync while the unit's
 * primary double serves, as primary it renews the unit's Lease. It invents every figure: the control path is what it
 * serves. The proof of the data path is the pooled sidecar itself ({@code SharedStandbySidecarTest}, real processes)
 * and the drill suite.
 */
public final class PoolSidecarDoubles implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final SidecarDoubles dedicated;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> pods;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pool-sidecar-doubles");
    t.setDaemon(true);
    return t;
  });

  /** {@code dedicated}: the doubles of the units' own members (a replica is in sync while its primary's serves). */
  public PoolSidecarDoubles(KubernetesClient client, String namespace, SidecarDoubles dedicated) {
    this.client = client;
    this.namespace = namespace;
    this.dedicated = dedicated;
    this.pods = client
        .pods()
        .inNamespace(namespace)
        .withLabel(ContractKeys.POOL_LABEL)
        .inform(PodEvents.handler(
            this::seen,
            p -> replicas
                .keySet()
                .removeIf(k -> k.startsWith(p.getMetadata().getName() + "/") && stop(k))));
    ticker.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void seen(Pod p) {
    String pod = p.getMetadata().getName();
    boolean running = "Running"
        .equals(Optional.ofNullable(p.getStatus()).map(s -> s.getPhase()).orElse(null));
    if (!running || p.getMetadata().getDeletionTimestamp() != null) return;
    for (String key : p.getMetadata().getLabels().keySet()) {
      String unit = ContractKeys.unitOfPoolUnitLabel(key);
      if (unit == null) continue;
      replicas.computeIfAbsent(pod + "/" + unit, k -> {
        MemberChannel channel = new MemberChannel(
            new Fabric8MemberApi(client, namespace), pod, unit, clock, Duration.ofSeconds(10));
        Replica r =
            new Replica(unit, channel, p.getStatus().getPodIP(), p.getSpec().getNodeName());
        channel.onAssignment(a -> r.assignment = a);
        return r;
      });
    }
  }

  private boolean stop(String key) {
    Replica r = replicas.get(key);
    if (r != null) r.channel.close();
    return true;
  }

  private void tick() {
    for (Replica r : replicas.values()) {
      try {
        r.tick();
      } catch (Exception e) {
        // The API server may be restarting; a real sidecar retries too.
      }
    }
  }

  /** The replica of {@code unit} on pool pod {@code pod}, once that pod runs and holds it. */
  public boolean holds(String pod, String unit) {
    return replicas.containsKey(pod + "/" + unit);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    pods.close();
    replicas.values().forEach(r -> r.channel.close());
  }

  /** The unit's primary serves: a dedicated member's double, or a pool pod's replica that took the unit over. */
  private boolean primaryServes(String pod, String unit) {
    if (dedicated.has(pod)) return dedicated.of(pod).streams();
    Replica r = replicas.get(pod + "/" + unit);
    return r != null && r.assignment != null && r.assignment.role() == Role.Primary;
  }

  private final class Replica {
    private final String unit;
    private final MemberChannel channel;
    private final String ip;
    private final String node;
    private volatile Assignment assignment;
    private long sequence;
    private long syncedEpoch = -1;

    Replica(String unit, MemberChannel channel, String ip, String node) {
      this.unit = unit;
      this.channel = channel;
      this.ip = ip;
      this.node = node;
    }

    void tick() {
      Assignment a = assignment;
      // A pod on a failed node is silent, as the dedicated doubles are: no renewal, no report.
      if (a == null || dedicated.nodeDead(node)) return;
      boolean primary = a.role() == Role.Primary;
      if (primary) {
        channel.renewPrimaryLease(unit, a.epoch());
        sequence++;
      }
      // As a real standby: in sync once its primary has streamed to it at its epoch, and so it
      // stays when that
      // primary dies (the operator promotes it then).
      if (!primary && a.peer() != null && primaryServes(a.peer(), unit)) syncedEpoch = a.epoch();
      boolean inSync = !primary && syncedEpoch == a.epoch();
      channel.publish(MemberReport.builder()
          .role(a.role())
          .epoch(a.epoch())
          .lastDurableSeq(sequence)
          .lag(primary ? null : 0L)
          .inSync(primary ? null : inSync)
          .peerLost(Boolean.FALSE)
          .peerHeartbeatAgeMillis(0L)
          .appHealthy(true)
          .replicationEndpoint(ip + ":7601")
          .reportedAtMillis(clock.millis())
          .build());
    }
  }
}
