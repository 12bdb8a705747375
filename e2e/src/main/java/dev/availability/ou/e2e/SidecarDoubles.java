package dev.availability.ou.e2e;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the sidecars of a namespace's unit pods, which KWOK cannot run: through the API server and with
 * the same contract code as the real sidecar ({@link MemberChannel}), each double follows its assignment,
 * publishes its report and, as primary, renews the unit's lease. A double dies with its pod's node (when
 * KWOK stops managing it) or when its application container stops running, and can be told to
 * misbehave: freeze, report a lost peer, lag behind, report its application unhealthy.
 *
 * <p>Doubles serve fast control-path tests and scale runs. They invent reports, lag and in-sync state, so they
 * are never the proof of a data-path or end-to-end claim: the drill suite ({@code drill/}, real sidecars and the
 * real sample app as pods under the process kubelet, a real client counting) is.
 */
public final class SidecarDoubles implements AutoCloseable {
  static final String KWOK_MANAGED = "kwok.x-k8s.io/node";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(4, r -> {
    Thread t = new Thread(r, "sidecar-doubles");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Double> doubles = new ConcurrentHashMap<>();
  private final Map<String, Boolean> deadNodes = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Node> nodes;

  public SidecarDoubles(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.nodes = client.nodes().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node n) {
        noteNode(n);
      }

      @Override
      public void onUpdate(Node o, Node n) {
        noteNode(n);
      }

      @Override
      public void onDelete(Node n, boolean unknown) {
        deadNodes.put(n.getMetadata().getName(), true);
      }
    });
    this.pods = client
        .pods()
        .inNamespace(namespace)
        .withLabel(ContractKeys.UNIT_LABEL)
        .inform(PodEvents.handler(this::seen, p -> stop(p.getMetadata().getName())));
  }

  private void noteNode(Node n) {
    Map<String, String> a =
        Optional.ofNullable(n.getMetadata().getAnnotations()).orElse(Map.of());
    deadNodes.put(n.getMetadata().getName(), !"fake".equals(a.get(KWOK_MANAGED)));
  }

  private void seen(Pod p) {
    String name = p.getMetadata().getName();
    if (p.getMetadata().getDeletionTimestamp() != null) {
      stop(name);
      return;
    }
    boolean running = "Running"
        .equals(Optional.ofNullable(p.getStatus()).map(s -> s.getPhase()).orElse(null));
    if (!running || doubles.containsKey(name)) {
      Double d = doubles.get(name);
      if (d != null) d.pod = p;
      return;
    }
    MemberChannel channel = new MemberChannel(new Fabric8MemberApi(client, namespace), name, clock);
    Double d = new Double(channel, p);
    doubles.put(name, d);
    channel.onAssignment(d::assigned);
    // Each double ticks on its own, so one slow API call never delays another member's lease
    // renewal.
    d.task = ticker.scheduleWithFixedDelay(() -> tick(d), 0, 50, TimeUnit.MILLISECONDS);
  }

  private void stop(String pod) {
    Double d = doubles.remove(pod);
    if (d != null) {
      if (d.task != null) d.task.cancel(false);
      d.channel.close();
    }
  }

  private static void tick(Double d) {
    try {
      d.tick();
    } catch (Exception e) {
      // The API server may be restarting; a real sidecar retries too.
    }
  }

  /** The double of {@code pod}, once its pod is running. */
  public Double of(String pod) {
    Double d = doubles.get(pod);
    if (d == null)
      throw new IllegalStateException("no sidecar double for pod " + pod + " (not running yet?)");
    return d;
  }

  /** Whether {@code node} is failed (kwok no longer manages it, or it is gone): its pods' sidecars are silent. */
  public boolean nodeDead(String node) {
    return node != null && Boolean.TRUE.equals(deadNodes.get(node));
  }

  public boolean has(String pod) {
    return doubles.containsKey(pod);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    pods.close();
    nodes.close();
    doubles.values().forEach(d -> d.channel.close());
  }

  /** One member's double. Its knobs are what tests turn to make it misbehave. */
  public final class Double {
    private final MemberChannel channel;
    private volatile Pod pod;
    private volatile Assignment assignment;
    private volatile boolean frozen;
    private volatile boolean peerLost;
    private volatile long peerLostSince;
    private volatile boolean appUnhealthy;
    private volatile long lag;
    private volatile MemberReportMemory memory;
    private volatile long sequence;
    private volatile long lastRenewalMillis;
    private volatile long lastAttemptMillis;
    private volatile long leaseMillis = 1000;
    private volatile boolean fenced;
    private volatile long syncedEpoch = -1;
    private volatile long
        confirmedSinceMillis; // 0: its standby does not confirm it (LeaseFailsafe.confirms)
    private volatile long primarySilentSinceMillis; // 0: as a standby it hears its primary
    private volatile java.util.concurrent.ScheduledFuture<?> task;

    Double(MemberChannel channel, Pod pod) {
      this.channel = channel;
      this.pod = pod;
    }

    /** Stop everything (a hung process or a node cut off from the API server). */
    public Double freeze() {
      frozen = true;
      return this;
    }

    public Double unfreeze() {
      frozen = false;
      channel.republish();
      return this;
    }

    public Double reportPeerLost(boolean lost) {
      peerLostSince = lost ? clock.millis() : 0;
      peerLost = lost;
      return this;
    }

    public Double reportAppUnhealthy(boolean unhealthy) {
      appUnhealthy = unhealthy;
      return this;
    }

    public Double lagBehind(long updates) {
      lag = updates;
      return this;
    }
    /** Reports this much state in this heap, and whether the heap is too small for it (null: says nothing of memory). */
    public Double reportMemory(long stateBytes, long heapBytes, boolean heapTooSmall) {
      memory = new MemberReportMemory(stateBytes, heapBytes, heapTooSmall);
      return this;
    }

    /**
     * A new assignment (another role or epoch) starts afresh, as the real sidecar's does: a member fenced by a lapsed
     * lease serves again once assigned Primary at a new epoch (an unfenced primary does), its renewals counted anew.
     */
    void assigned(Assignment a) {
      Assignment before = assignment;
      if (before == null || before.role() != a.role() || before.epoch() != a.epoch()) {
        fenced = false;
        lastRenewalMillis = 0;
      }
      assignment = a;
    }

    public Role role() {
      return assignment == null ? null : assignment.role();
    }

    /** The node its pod is bound to (null before scheduling). */
    public String node() {
      Pod p = pod;
      return p.getSpec() == null ? null : p.getSpec().getNodeName();
    }

    private boolean alive() {
      Pod p = pod;
      String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (node != null && Boolean.TRUE.equals(deadNodes.get(node))) return false;
      // The sidecar shares the pod's fate when the application container stops (a crash in KWOK's
      // world).
      return p.getStatus() == null
          || p.getStatus().getContainerStatuses() == null
          || p.getStatus().getContainerStatuses().stream()
              .filter(c -> !ContractKeys.SIDECAR_CONTAINER.equals(c.getName()))
              .allMatch(c -> c.getState() != null && c.getState().getRunning() != null);
    }

    void tick() {
      Assignment a = assignment;
      if (frozen || a == null || !alive()) return;
      long now = clock.millis();
      if (a.role() == Role.Primary) {
        String unit = channel.unit();
        // As LeaseKeeper: confirmed by its standby for a lease duration, it writes its lease only
        // every ten (Synchronous, Journal).
        boolean confirmed = !fenced && standbyConfirms(a);
        if (!confirmed && confirmedSinceMillis != 0) lastAttemptMillis = 0; // lost: renew at once
        if (!confirmed) confirmedSinceMillis = 0;
        else if (confirmedSinceMillis == 0) confirmedSinceMillis = now;
        boolean vouchedFor = confirmed
            && lastRenewalMillis > 0
            && now - confirmedSinceMillis >= leaseMillis
            && now - lastRenewalMillis
                < 10L * leaseMillis; // (LeaseKeeper.CONFIRMED_RENEWAL_LEASES)
        // (a member that stopped serving keeps trying, every sixth of a lease, as LeaseKeeper does
        // after a failure)
        if (unit != null
            && !vouchedFor
            && now - lastAttemptMillis
                >= Math.max(100, fenced ? leaseMillis / 6 : leaseMillis / 3)) {
          lastAttemptMillis = now;
          MemberChannel.Renewal r = channel.renewPrimaryLease(unit, a.epoch());
          if (r.leaseDuration().toMillis() > 0) leaseMillis = r.leaseDuration().toMillis();
          // As PrimaryLeaseState: a lease the API server gives to another stops it at once; one it
          // cannot renew, once neither its last renewal nor its standby's confirmation (the
          // failsafe) keeps it serving. A lease handed back to it (the operator rewrote it at its
          // epoch) makes it serve again, as the sidecar does.
          if (r.held()) {
            lastRenewalMillis = now;
            fenced = false;
          } else if (lastRenewalMillis > 0
              && now - lastRenewalMillis > r.leaseDuration().toMillis()
              && (r.takenAway() || !confirmed)) {
            fenced = true;
          }
        }
        if (!fenced) sequence++;
      }
      Role reported = fenced ? Role.Fenced : a.role();
      boolean standby = reported == Role.Standby;
      if (standby && syncedEpoch != a.epoch() && primaryStreams(a)) syncedEpoch = a.epoch();
      if (standby && !primaryHeard(a)) {
        if (primarySilentSinceMillis == 0) primarySilentSinceMillis = now;
      } else {
        primarySilentSinceMillis = 0;
      }
      // As the real standby: its primary's heartbeats lost for OU_PEER_LOST_AFTER (or the test's
      // knob says so).
      long silent = primarySilentSinceMillis == 0 ? 0 : now - primarySilentSinceMillis;
      boolean lost =
          peerLost || (standby && silent >= SidecarEnv.millis(pod, "OU_PEER_LOST_AFTER", 2000));
      long lostAge = peerLost ? now - peerLostSince : silent;
      MemberReport report = MemberReport.builder()
          .role(reported)
          .epoch(a.epoch())
          .lastDurableSeq(standby ? Math.max(0, sequence - lag) : sequence)
          .lag(standby ? lag : null)
          .inSync(standby ? lag == 0 && syncedEpoch == a.epoch() : null)
          .peerLost(standby && lost ? Boolean.TRUE : Boolean.FALSE)
          .peerHeartbeatAgeMillis(lost ? lostAge : 0L)
          .appHealthy(!appUnhealthy)
          .replicationEndpoint(ip() + ":" + ContractKeys.REPLICATION_PORT)
          .reportedAtMillis(now)
          .stateBytes(memory == null ? null : memory.stateBytes())
          .heapMaxBytes(memory == null ? null : memory.heapBytes())
          .heapTooSmall(memory == null ? null : memory.heapTooSmall())
          .build();
      channel.publish(report);
    }

    /**
     * A real standby is in sync only once its primary has streamed to it at its epoch; it then stays so (the
     * operator promotes it after the primary dies). A standby created after its primary died never gets there.
     * (Before, a replacement standby double claimed in sync while both original nodes were down, and got promoted.)
     */
    private boolean primaryStreams(Assignment a) {
      if (a.peer() == null) return true;
      Double primary = doubles.get(a.peer());
      return primary != null && primary.streams();
    }

    /** As a primary, it streams to its standbys: running (alive, not frozen), assigned Primary, not fenced. */
    public boolean streams() {
      return alive() && !frozen && role() == Role.Primary && !fenced;
    }

    /** A standby hears its primary's heartbeats while that primary's sidecar runs (serving or not: a self-fenced one still beats). */
    private boolean primaryHeard(Assignment a) {
      if (a.peer() == null) return true;
      Double primary = doubles.get(a.peer());
      return primary != null && primary.alive() && !primary.frozen;
    }

    /**
     * As the real primary's LeaseFailsafe.confirms: not Asynchronous, and its standby at this epoch in sync and hearing
     * it (alive, not frozen, not told by the test that it lost the primary).
     */
    private boolean standbyConfirms(Assignment a) {
      String mode = a.mode() != null ? a.mode() : SidecarEnv.get(pod, "OU_MODE");
      if ("Asynchronous".equals(mode) || a.peer() == null) return false;
      Double sb = doubles.get(a.peer());
      if (sb == null || !sb.alive() || sb.frozen || sb.peerLost || sb.fenced) return false;
      Assignment sa = sb.assignment;
      return sa != null
          && sa.role() == Role.Standby
          && sa.epoch() == a.epoch()
          && sb.syncedEpoch == a.epoch()
          && sb.lag == 0;
    }

    private String ip() {
      return Optional.ofNullable(pod.getStatus()).map(s -> s.getPodIP()).orElse("0.0.0.0");
    }
  }

  private record MemberReportMemory(long stateBytes, long heapBytes, boolean heapTooSmall) {}
}
