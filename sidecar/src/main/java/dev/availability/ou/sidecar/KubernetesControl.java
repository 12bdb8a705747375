package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ApiServerAccess;
import dev.availability.ou.memberapi.HttpMemberApi;
import dev.availability.ou.memberapi.MemberApi;
import dev.availability.ou.memberapi.MemberChannel;
import java.time.Clock;
import java.time.Duration;

/**
 * Control through the API server (the operator's side of the contract): the member's assignment from
 * its own pod's annotation, the peer's replication endpoint from the peer pod's report, the unit's
 * primary lease, and the report written on its own pod. Made only when OU_CONTROL=kubernetes (class loading is
 * lazy, so standalone processes never load the API client). The calls go through {@link HttpMemberApi} (the JDK's
 * HTTP client: no Kubernetes client library is loaded, as this runs in every pod), in-cluster by default
 * ({@code OU_API_SERVER}, {@code OU_API_TOKEN_FILE}, {@code OU_API_CA_FILE} override it).
 */
final class KubernetesControl implements ControlSource {
  /**
   * Whether a replica takes an assignment now: a standby pool's pod serves at most one unit as primary
   * ({@link PoolPromotion}). Runs {@code apply} and answers null, or answers why not without running it;
   * {@code again} when the assignment was refused before (counted once).
   */
  interface Gate {
    Gate OPEN = (role, again, apply) -> {
      apply.run();
      return null;
    };

    String run(Role role, boolean again, Runnable apply);
  }

  private final Config cfg;
  private final MemberApi api;
  private final MemberChannel channel;
  private final Gate gate;
  // The Standby assignment the pod was created with (AssignmentFile), taken at start; null: none.
  private final Assignment fromFile;
  // An assignment the gate refused, offered again by retryRefused (no pod change says when).
  private volatile Assignment refused;
  private volatile Replica replica;
  private volatile Assignment current;
  private volatile String peerEndpoint;
  private volatile String nextPeerEndpoint; // the catching-up standby's (make-before-break)
  // When this member became primary or was given another peer (System.nanoTime): the peer lookup is
  // quick after it.
  private volatile long peerChangedAtNanos = System.nanoTime();
  private volatile MemberReport last;
  private volatile boolean running = true;

  KubernetesControl(Config cfg) {
    this(cfg, lean(cfg));
  }

  /** The JDK-only API client: in-cluster (KUBERNETES_SERVICE_HOST/PORT, the mounted ServiceAccount) unless OU_API_* say otherwise. */
  static MemberApi lean(Config cfg) {
    String namespace = requireNamespace(cfg);
    return new HttpMemberApi(
        ApiServerAccess.resolve(
                cfg.apiServer(), cfg.apiTokenFile(), cfg.apiCaFile(), System.getenv())
            .withRequestTimeout(java.time.Duration.ofMillis(cfg.apiRequestTimeoutMillis())),
        namespace);
  }

  /** On {@code api}, bound to the member's namespace; {@link #close()} closes it. */
  KubernetesControl(Config cfg, MemberApi api) {
    this(cfg, api, null, Gate.OPEN);
  }

  /**
   * Unit {@code pooledUnit}'s replica in a standby pool's pod (null: a dedicated member): its assignment, report and
   * Lease are that unit's ({@link MemberChannel}); {@code gate} decides whether it may take an assignment.
   */
  KubernetesControl(Config cfg, MemberApi api, String pooledUnit, Gate gate) {
    requireNamespace(cfg);
    this.cfg = cfg;
    this.api = api;
    this.gate = gate;
    // (a pool's pod holds several units' replicas: none of them is the pod's own annotation)
    this.fromFile =
        pooledUnit == null ? AssignmentFile.standby(cfg.assignmentFile()).orElse(null) : null;
    this.channel = new MemberChannel(
        api,
        cfg.podName(),
        pooledUnit,
        Clock.systemUTC(),
        Duration.ofMillis(cfg.positionReportIntervalMillis()),
        Duration.ofMillis(cfg.synchronousPositionReportIntervalMillis()));
    // A standby with its assignment from the file needs no head start: the warm-up's TLS handshake
    // would only take CPU
    // from its start while its primary waits for it.
    if (pooledUnit == null && fromFile == null) warmUp(api, cfg.podName());
  }

  /**
   * Reads the member's own pod once, in the background, while the sidecar recovers its log: the HTTP client, TLS and
   * their classes are ready by the time the first assignment is read. A new standby's sidecar in a cold JVM spent
   * 0.6 s between its recovery and its assignment (the node-kill drill), while a Synchronous primary that may not
   * acknowledge alone waited for it. A failure here is only a missed head start.
   */
  private static void warmUp(MemberApi api, String pod) {
    Thread t = new Thread(
        () -> {
          try {
            api.getPod(pod);
          } catch (RuntimeException e) {
            // the first real read says what is wrong
          }
        },
        "ou-k8s-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static String requireNamespace(Config cfg) {
    if (cfg.namespace() == null || cfg.podName() == null) {
      throw new IllegalArgumentException(
          "OU_CONTROL=kubernetes needs OU_NAMESPACE and OU_POD_NAME (Downward API)");
    }
    return cfg.namespace();
  }

  @Override
  public void start(Replica replica) {
    this.replica = replica;
    if (fromFile != null) {
      channel.seed(fromFile);
      apply(fromFile);
    }
    channel.onAssignment(this::apply, trouble -> Logs.warn(trouble));
    Thread t = new Thread(this::peerLoop, "ou-k8s-peer");
    t.setDaemon(true);
    t.start();
  }

  private void apply(Assignment a) {
    String peer = lookupPeer(a); // before the gate: it holds the pool while it runs
    String next = endpointOf(a, a.nextPeer());
    String refusal = gate.run(a.role(), false, () -> take(a, peer, next));
    refused = refusal == null ? null : a;
    if (refusal != null)
      Logs.warn("not taking assignment " + a + " of " + cfg.memberName() + ": " + refusal);
  }

  /** Offers a refused assignment again (the gate may let it through now); true when it was taken. */
  boolean retryRefused() {
    Assignment a = refused;
    if (a == null || a != channel.assignment()) return false; // none, or a newer one came since
    String peer = lookupPeer(a);
    String next = endpointOf(a, a.nextPeer());
    boolean taken = gate.run(a.role(), true, () -> take(a, peer, next)) == null;
    if (taken) refused = null;
    return taken;
  }

  private void take(Assignment a, String peer, String next) {
    Assignment before = current;
    if (before == null
        || before.role() != a.role()
        || !java.util.Objects.equals(before.peer(), a.peer()))
      peerChangedAtNanos = System.nanoTime();
    current = a;
    cfg.timing().apply(a.timing());
    // before the role: an application told of its promotion finds the quarantine in IN_FLIGHT
    replica.quarantine().set(a.quarantined());
    peerEndpoint = peer;
    nextPeerEndpoint = next;
    try {
      replica.assign(
          a.role(),
          a.epoch(),
          peerEndpoint,
          nextPeerEndpoint,
          a.mode() == null ? null : Mode.parse(a.mode()),
          "operator assignment");
      replica.dependencies(a.unavailableDependencies()); // a WATCH event when they changed
    } catch (Exception e) {
      Logs.error("applying assignment " + a + " failed", e);
    }
  }

  private String lookupPeer(Assignment a) {
    return endpointOf(a, a.peer());
  }

  /**
   * The replication endpoint of {@code member} (a's peer or next peer) from its report; for the catching-up standby
   * that becomes the peer (make-before-break) the one already streamed to when its report cannot be read now: the
   * handover must not drop the stream it counts on.
   */
  private String endpointOf(Assignment a, String member) {
    if (member == null || a.role() != Role.Primary) return null;
    try {
      String ep = channel.peerReplicationEndpoint(
          member, Config.address(cfg.advertisedEndpoint()).getPort());
      if (ep != null) return ep;
    } catch (RuntimeException e) {
      Logs.warn("cannot read the report of " + member + ": " + e.getMessage());
    }
    Assignment before = current;
    return before != null && member.equals(before.nextPeer()) ? nextPeerEndpoint : null;
  }

  /**
   * The peer may advertise its endpoint after our assignment (or change it): look again while primary and not
   * streaming to it. Once its standby is connected the endpoint is known to work: no read every second per unit
   * (at 100 units that was one GET a second per unit, the API server's largest read load). Right after a promotion
   * or a new peer the look is quick ({@link #PEER_LOOKUP_QUICK}): a new standby's sidecar advertises itself while
   * a Synchronous primary that may not acknowledge alone waits for it (seen: 0.6 s of a node kill's outage spent
   * waiting for the next read a second apart).
   */
  private void peerLoop() {
    while (running) {
      try {
        Thread.sleep(peerLookupDelay(System.nanoTime() - peerChangedAtNanos).toMillis());
        if (!running) return;
        Assignment a = current;
        if (a == null || a.role() != Role.Primary) continue;
        String ep = a.peer() == null || replica.acknowledgements().standbyConnected()
            ? peerEndpoint
            : lookupPeer(a);
        String next = a.nextPeer() == null || nextConnected()
            ? nextPeerEndpoint
            : endpointOf(a, a.nextPeer());
        if ((ep != null && !ep.equals(peerEndpoint))
            || (next != null && !next.equals(nextPeerEndpoint))) {
          peerEndpoint = ep == null ? peerEndpoint : ep;
          nextPeerEndpoint = next == null ? nextPeerEndpoint : next;
          replica.assign(
              a.role(),
              a.epoch(),
              peerEndpoint,
              nextPeerEndpoint,
              null,
              "peer endpoints " + peerEndpoint + ", next " + nextPeerEndpoint);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        Logs.warn("peer lookup failed: " + e.getMessage());
      }
    }
  }

  private boolean nextConnected() {
    StandbyAcks n = replica.acknowledgements().standbyFor(nextPeerEndpoint);
    return n != null && n.connected();
  }

  /** For this long after a promotion or a new peer the peer's endpoint is looked up every 200 ms, then every second. */
  static final Duration PEER_LOOKUP_QUICK = Duration.ofSeconds(15);

  /** How long to wait before the next look for the peer's endpoint, {@code sinceChangeNanos} after the peer changed. */
  static Duration peerLookupDelay(long sinceChangeNanos) {
    return sinceChangeNanos < PEER_LOOKUP_QUICK.toNanos()
        ? Duration.ofMillis(200)
        : Duration.ofSeconds(1);
  }

  @Override
  public boolean leaseRequired() {
    return true;
  }

  @Override
  public MemberChannel.Renewal renewLease(long epoch) {
    return renewLease(epoch, null);
  }

  @Override
  public MemberChannel.Renewal renewLease(long epoch, Duration duration) {
    String unit = channel.unit();
    if (unit == null) return new MemberChannel.Renewal(false, Duration.ZERO, "unit not known yet");
    try {
      return channel.renewPrimaryLease(unit, epoch, duration);
    } catch (RuntimeException e) {
      return new MemberChannel.Renewal(false, Duration.ZERO, "renewal failed: " + e.getMessage());
    }
  }

  @Override
  public void publish(MemberReport report) {
    try {
      if (channel.publish(report)) last = report;
    } catch (RuntimeException e) {
      channel.republish();
      Logs.warn("publishing the report failed: " + e.getMessage());
    }
  }

  @Override
  public MemberReport lastReport() {
    return last;
  }

  @Override
  public void close() {
    running = false;
    channel.close();
    api.close();
  }
}
