package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.HoldLease;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.AppContainer;
import dev.availability.ou.failover.Member.PodPhase;
import dev.availability.ou.failover.Member.Role;
import dev.availability.ou.failover.pool.PoolSeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A small in-memory cluster for driving the decider the way the operator does: observe, decide, write the
 * state (first when asked), perform the actions, observe again. Time only moves when a test says so; the
 * scheduler, kubelets, node controller and sidecars react on each {@link #tick()}.
 *
 * <p>Besides what the API server shows, the world keeps the ground truth the decider cannot see (which
 * updates were acknowledged to clients, whether a deposed primary can still acknowledge), so tests can
 * assert the safety properties themselves, not just the decider's words.
 */
final class World {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration TICK = Duration.ofMillis(100);
  static final Duration NODE_LEASE = Duration.ofSeconds(40);
  static final Duration NODE_GRACE = Duration.ofSeconds(40);
  /** The sidecar's defaults (OU_SHUTDOWN_KEEP_WINDOW, OU_SHUTDOWN_MAX). */
  static final Duration SHUTDOWN_KEEP_WINDOW = Duration.ofSeconds(5);

  static final Duration SHUTDOWN_MAX = Duration.ofSeconds(25);

  /** How a node behaves: up, dead (nothing runs) or cut off from the API server and the other nodes (pods keep running). */
  enum NodeMode {
    Up,
    Dead,
    Isolated
  }

  static final class Node {
    final String name;
    NodeMode mode = NodeMode.Up;
    NodeView.Ready ready = NodeView.Ready.True;
    Instant readySince = T0;
    Instant leaseRenewedAt = T0;
    boolean kubeletStalled; // node lease not renewed, but pods run and Ready is still True
    boolean heldNotReady; // a test holds Ready at False
    boolean cordoned; // spec.unschedulable (kubectl cordon, the first step of kubectl drain)
    Instant cordonedAt;

    Node(String name) {
      this.name = name;
    }

    boolean runsPods() {
      return mode != NodeMode.Dead;
    }

    boolean reachesApi() {
      return mode == NodeMode.Up;
    }

    NodeView view() {
      return new NodeView(
          name,
          ready,
          readySince,
          leaseRenewedAt,
          NODE_LEASE,
          null,
          cordoned ? new NodeView.Maintenance("cordoned", cordonedAt) : null);
    }
  }

  static final class Pod {
    final String name;
    final long ordinal;
    String node;
    Role role;
    long epoch;
    String peer;
    String nextPeer; // a primary's catching-up standby (make-before-break)
    PodPhase phase = PodPhase.Pending;
    boolean ready;
    Instant readySince;
    AppContainer app;
    Instant deletionRequestedAt;
    // its assigned role when SIGTERM came: a primary's sidecar lingers (ShutdownLinger)
    Role roleAtTerm;
    boolean keptAfterTerm;
    boolean unschedulable;
    String templateHash;
    Set<String> avoid = Set.of();
    String prefer;
    // kubelet / test overrides
    Boolean readyOverride; // null: readiness follows the app and the sidecar
    boolean appDown; // the app container is not running (crashed, waiting)
    // the sidecar
    boolean reported;
    boolean manualReport; // a test writes the report fields by hand
    Role reportRole;
    long reportEpoch;
    long seq;
    Long lag;
    Boolean inSync;
    Instant inSyncSince; // as the sidecar's InSyncSince: its first report in sync at this epoch
    long inSyncEpoch;
    Boolean peerLost;
    Long peerHeartbeatAge;
    Boolean appHealthy = true;
    Instant reportedAt;
    boolean sidecarHung; // stops renewing and reporting (but the pod looks fine)
    boolean leaseBlocked; // cannot renew the primary lease (heartbeats to the peer go on)
    Instant lastRenewal;
    boolean selfFenced; // deposed (told Fenced, or saw the lease move on): for good, until assigned
    // again
    Instant peerLastHeard;
    int ticksRunning;
    MemberSettings settings; // what its assignment carries (the executor writes the policy's)
    // the journal (Journal mode): stimuli begun and not ended, with the epoch each began at
    Map<String, Long> open = new LinkedHashMap<>();
    long
        promotedAtEpoch; // the epoch it was last promoted at (stimuli begun before are reprocessed)
    List<String> reportedReprocessing = List.of();
    List<String> reportedReprocessingNow = List.of();
    final Set<String> takenUp =
        new java.util.HashSet<>(); // what its application said it reprocesses
    Instant restartAt; // its application crashed: the kubelet starts it again then

    Pod(String name, long ordinal) {
      this.name = name;
      this.ordinal = ordinal;
    }

    Member view() {
      Member.Report r = reported
          ? new Member.Report(
              reportRole,
              reportEpoch,
              seq,
              lag,
              inSync,
              peerLost,
              peerHeartbeatAge,
              appHealthy,
              reportedAt,
              null,
              reportedReprocessing,
              reportedReprocessingNow,
              inSyncSince)
          : null;
      return new Member(
          name,
          ordinal,
          node,
          role,
          epoch,
          peer,
          phase,
          ready,
          readySince,
          app,
          deletionRequestedAt,
          unschedulable,
          templateHash,
          r,
          settings,
          nextPeer);
    }

    boolean deleting() {
      return deletionRequestedAt != null;
    }
  }

  /** One decision as the operator handled it. */
  record Step(
      Instant at,
      Observation observation,
      Decision decision,
      UnitState before,
      boolean stateWritten,
      int actionsDone) {}

  final FailoverDecider decider = new FailoverDecider();
  UnitPolicy policy;
  UnitState status = UnitState.initial();
  Instant now = T0;
  final Map<String, Node> nodes = new LinkedHashMap<>();
  final Map<String, Pod> pods = new LinkedHashMap<>();
  String selector;
  Set<String> endpoints = Set.of();
  PrimaryLease lease;
  final List<Step> steps = new ArrayList<>();
  final List<Consumer<Step>> checks = new ArrayList<>();
  /** Pods that cannot exchange heartbeats or replication traffic (both still reach the API server). */
  boolean podNetworkSplit;

  int writesPerTick = 5;
  /** Asynchronous mode: how many updates a connected standby trails by. */
  long asyncLag;
  /** Updates acknowledged to clients that the serving primary holds (ground truth). */
  long acked;

  final List<String> promotions = new ArrayList<>();
  /** Acknowledged updates lost at each promotion (ground truth). */
  final List<Long> lostAtPromotion = new ArrayList<>();
  /** How long a member being deleted takes to stop on a live node (the scheduler still counts it meanwhile). */
  Duration gracefulTermination = Duration.ofMillis(300);
  /** Render avoidNodes as a required node affinity (as the operator does) rather than a preference. */
  boolean avoidRequired = true;
  /** What each member's volume claim holds (claims are named after their pods and outlive them). */
  final Map<String, Long> volumes = new LinkedHashMap<>();
  /** Whether the kubelets and sidecars bring new pods up by themselves. */
  boolean autoStart = true;

  World(UnitPolicy policy, String... nodeNames) {
    this.policy = policy;
    for (String n : nodeNames) nodes.put(n, new Node(n));
  }

  static UnitPolicy policy(UnitPolicy.Mode mode) {
    return new UnitPolicy("db", mode, true, Duration.ofSeconds(5), null, false, "h1");
  }

  static World threeNodes() {
    return threeNodes(UnitPolicy.Mode.Synchronous);
  }

  static World threeNodes(UnitPolicy.Mode mode) {
    return new World(policy(mode), "node-a", "node-b", "node-c");
  }

  Thresholds thresholds() {
    return policy.thresholds();
  }

  // ------------------------------------------------------------------ the operator's loop

  Observation observe() {
    Map<String, Member> members = new LinkedHashMap<>();
    pods.values().forEach(p -> members.put(p.name, p.view()));
    Map<String, NodeView> nodeViews = new LinkedHashMap<>();
    nodes.values().forEach(n -> nodeViews.put(n.name, n.view()));
    return new Observation(
        policy,
        status,
        Map.copyOf(members),
        Map.copyOf(nodeViews),
        lease,
        new ServiceView(selector, endpoints),
        now,
        Set.of(),
        pool);
  }

  /** The unit's seat in a standby pool (docs/pools.md), or null for a standby of its own. */
  PoolSeat pool;

  /**
   * A pod of a standby pool, made by the pool (not by the unit) and holding the unit as a standby of the
   * primary, off the primary's node; the test says when the pool's seat names it.
   */
  Pod addSharedPod(String name) {
    Pod p = new Pod(name, 1000 + pods.size());
    p.role = Role.Standby;
    p.epoch = Math.max(1, status.epoch());
    p.peer = status.primary();
    p.templateHash = policy.templateHash();
    p.settings = policy.memberSettings();
    p.readySince = now;
    Pod primary = status.primary() == null ? null : pods.get(status.primary());
    if (primary != null && primary.node != null) p.avoid = Set.of(primary.node);
    pods.put(name, p);
    return p;
  }

  /** The reconciliation (by index in {@link #steps}) during which the operator dies, and after how many actions. */
  int crashAtStep = -1;

  int crashAfterActions;

  /** One reconciliation: decide, write the state (first if asked), perform every action. */
  Decision reconcile() {
    if (steps.size() == crashAtStep) return reconcile(crashAfterActions, false);
    return reconcile(Integer.MAX_VALUE, true);
  }

  /**
   * One reconciliation during which the operator dies after {@code actionsBeforeCrash} actions (the state is
   * written only if the decision asked for it first, or the operator got through everything).
   */
  Decision reconcile(int actionsBeforeCrash, boolean writeStateAtEnd) {
    Observation o = observe();
    Decision d = decider.decide(o);
    assertThat(decider.decide(o))
        .as("the decider is a function of its observation")
        .isEqualTo(d);
    UnitState before = status;
    boolean written = false;
    if (d.persistStateFirst()) {
      status = d.state();
      written = true;
    }
    int done = 0;
    for (Action a : d.actions()) {
      if (done >= actionsBeforeCrash) break;
      apply(a, d);
      done++;
    }
    if (!written && writeStateAtEnd && done == d.actions().size()) {
      status = d.state();
      written = true;
    }
    Step step = new Step(now, o, d, before, written, done);
    steps.add(step);
    checks.forEach(c -> c.accept(step));
    return d;
  }

  /**
   * Reconcile from a failed primary through the intent and the promotion until the Service names the target,
   * ticking only while the target's sidecar has yet to confirm. Returns the decision that switched traffic.
   */
  Decision switchTraffic() {
    String before = status.primary();
    Decision d = reconcile();
    for (int i = 0; i < 50 && Objects.equals(before, status.primary()); i++) {
      if (d.actions().stream().allMatch(a -> a instanceof Emit)
          && !Duration.ZERO.equals(d.recheckAfter())) tick();
      d = reconcile();
    }
    assertThat(status.primary()).as("traffic switched").isNotEqualTo(before);
    return d;
  }

  /** Reconcile until the decider has nothing more to do right now (as the operator's watch would). */
  Decision settle() {
    Decision d = null;
    for (int i = 0; i < 20; i++) {
      UnitState before = status;
      d = reconcile();
      boolean quiet = d.actions().stream().allMatch(a -> a instanceof Emit)
          && Objects.equals(before, status)
          && !Duration.ZERO.equals(d.recheckAfter());
      if (quiet) return d;
    }
    throw new AssertionError("the decider did not settle: "
        + steps.subList(Math.max(0, steps.size() - 5), steps.size()));
  }

  /** Let time pass in ticks, reconciling after each, as an operator watching everything would. */
  World run(Duration d) {
    Instant until = now.plus(d);
    while (now.isBefore(until)) {
      tick();
      settle();
    }
    return this;
  }

  /** Run until {@code phase} is reached (fails after {@code max}). */
  World runUntil(Phase phase, Duration max) {
    return runUntil(w -> w.lastPhase() == phase, "phase " + phase, max);
  }

  /** Run until the condition holds (fails after {@code max}). */
  World runUntil(java.util.function.Predicate<World> done, String what, Duration max) {
    Instant until = now.plus(max);
    do { // at least one tick: what holds before anything happens proves nothing
      if (!now.isBefore(until))
        throw new AssertionError(what + " not reached in " + max + "; phases " + phases()
            + "; events " + eventsSince(0) + "; last conditions "
            + (steps.isEmpty() ? null : last().conditions()) + "; " + this);
      tick();
      settle();
    } while (!done.test(this));
    return this;
  }

  /** Run until the unit is protected again at {@code epoch}. */
  World runUntilProtectedAt(long epoch, Duration max) {
    return runUntil(
        w -> w.status.epoch() == epoch
            && w.status.intent() == null
            && w.lastPhase() == Phase.Protected,
        "protected at epoch " + epoch,
        max);
  }

  World bootstrap() {
    settle();
    return runUntil(Phase.Protected, Duration.ofSeconds(5));
  }

  // ------------------------------------------------------------------ performing actions

  private void apply(Action a, Decision d) {
    switch (a) {
      case CreateMember c -> {
        if (pods.containsKey(c.pod())) return; // idempotent: AlreadyExists
        Pod p = new Pod(c.pod(), c.ordinal());
        p.role = c.role();
        p.epoch = c.epoch();
        p.peer = c.peer();
        p.avoid = c.avoidNodes();
        p.prefer = c.preferNode();
        p.templateHash = policy.templateHash();
        p.settings = MemberSettings.of(policy, d.state());
        p.readySince =
            now; // unready since it was created (as the operator observes a pod without a Ready
        // condition)
        p.seq = volumes.getOrDefault(p.name, 0L); // its claim, named after it, outlives the pod
        pods.put(p.name, p);
      }
      case Assign as -> {
        Pod p = pods.get(as.pod());
        if (p == null) return; // gone: nothing to tell
        if (as.role() == Role.Primary && p.role != Role.Primary) {
          promote(p);
          p.promotedAtEpoch = as.epoch();
          p.takenUp.clear();
        }
        if (as.role() != p.role || as.epoch() != p.epoch || as.role() == Role.Primary)
          p.selfFenced = false; // (as the sidecar's assign)
        p.role = as.role();
        p.epoch = as.epoch();
        p.peer = as.peer();
        p.nextPeer = as.nextPeer();
        p.settings = MemberSettings.of(policy, d.state());
      }
      case HoldLease h -> lease = new PrimaryLease(h.holder(), h.epoch(), null, h.duration());
      case Action.VouchLease v -> {
        if (lease != null && v.holder().equals(lease.holder()) && v.epoch() == lease.epoch())
          lease = new PrimaryLease(lease.holder(), lease.epoch(), now, lease.duration());
      }
      case PointService ps -> selector = ps.pod();
      case DeleteMember del -> {
        Pod p = pods.get(del.pod());
        if (p == null) return;
        if (del.force() || p.node == null) { // (a pod no kubelet holds goes at once)
          if (del.force())
            assertThat(canAcknowledge(p))
                .as("force-deleting %s while it may still acknowledge writes", p.name)
                .isFalse();
          pods.remove(p.name);
        } else if (p.deletionRequestedAt == null) terminate(p);
      }
      case Emit e -> {}
    }
  }

  /**
   * As the sidecar: a primary serves while not deposed and its last renewal is less than a lease duration old, or (in
   * Synchronous and Journal mode) while its standby at its epoch hears it and confirms (the sidecar's LeaseFailsafe).
   */
  private boolean serving(Pod p) {
    if (p.role != Role.Primary || p.selfFenced) return false;
    return (p.lastRenewal != null
            && now.isBefore(p.lastRenewal.plus(thresholds().leaseDuration())))
        || confirmedByStandby(p);
  }

  /** Synchronous and Journal mode: the primary's standby at its epoch hears it (its sidecar then skips its renewals; the model skips them all, the sidecar renews every ten lease durations). */
  private boolean confirmedByStandby(Pod p) {
    // (the mode its sidecar runs: its assignment's; an edit of the policy reaches it with its next
    // assignment)
    if ((p.settings != null ? p.settings.mode() : policy.mode()) == UnitPolicy.Mode.Asynchronous
        || p.peer == null) return false;
    Pod sb = pods.get(p.peer);
    return talk(p, sb)
        && sb.role == Role.Standby
        && sb.epoch == p.epoch
        && p.name.equals(sb.peer)
        && sb.ticksRunning > 1;
  }

  /** Ground truth: the member's sidecar runs and may acknowledge writes (by its own clock). */
  boolean canAcknowledge(Pod p) {
    return sidecarRuns(p) && serving(p);
  }

  /** Ground truth at a promotion: the acknowledged updates the new primary does not hold are lost. */
  private void promote(Pod target) {
    long lost = Math.max(0, acked - target.seq);
    lostAtPromotion.add(lost);
    promotions.add(Duration.between(T0, now).toMillis() + "ms " + target.name + " seq " + target.seq
        + " acked " + acked + " report " + target.reportRole + "/" + target.reportEpoch + " inSync "
        + target.inSync + " status " + status.epoch() + "/" + status.primary() + " intent "
        + status.intent());
    acked = target.seq;
  }

  // ------------------------------------------------------------------ the cluster reacting

  void tick() {
    now = now.plus(TICK);
    nodes.values().forEach(this::nodeController);
    pods.values()
        .removeIf(p -> p.deleting()
            && p.node == null); // no kubelet holds it: the API server deletes it at once
    pods.values().forEach(this::schedule);
    for (Pod p : List.copyOf(pods.values())) kubelet(p);
    pods.values().forEach(this::restartCrashed);
    pods.values().stream()
        .filter(p -> p.role == Role.Primary)
        .sorted(Comparator.comparing(p -> p.name))
        .forEach(this::primarySidecar);
    pods.values().stream()
        .filter(p -> p.role == Role.Primary)
        .sorted(Comparator.comparing(p -> p.name))
        .toList()
        .forEach(this::application);
    pods.values().stream().filter(p -> p.role != Role.Primary).forEach(this::otherSidecar);
    pods.values().forEach(this::report);
    pods.values().forEach(p -> volumes.put(p.name, p.seq));
    Pod selected = selector == null ? null : pods.get(selector);
    endpoints = selected == null ? Set.of() : Set.of(selected.name);
  }

  private void nodeController(Node n) {
    if (n.mode == NodeMode.Up && !n.kubeletStalled) {
      n.leaseRenewedAt = now;
      if (n.ready != NodeView.Ready.True && !n.heldNotReady) setReady(n, NodeView.Ready.True);
    } else if (n.mode != NodeMode.Up
        && n.ready == NodeView.Ready.True
        && !now.isBefore(n.leaseRenewedAt.plus(NODE_GRACE))) {
      setReady(n, NodeView.Ready.Unknown);
    }
  }

  private void setReady(Node n, NodeView.Ready r) {
    n.ready = r;
    n.readySince = now;
  }

  private void schedule(Pod p) {
    if (p.node != null || p.deleting()) return;
    List<Node> fit = nodes.values().stream()
        .filter(n -> n.ready == NodeView.Ready.True) // not-ready / unreachable taints
        .filter(n -> !n.cordoned) // the scheduler's NodeUnschedulable filter
        .filter(n -> pods.values().stream()
            .noneMatch(o -> o != p
                && n.name.equals(o.node)
                && o.phase != PodPhase.Failed
                && o.phase
                    != PodPhase
                        .Succeeded)) // required pod anti-affinity (terminal pods do not count)
        .filter(n -> !avoidRequired || !p.avoid.contains(n.name))
        .toList();
    // avoidNodes are a strong preference, preferNode a weaker one.
    Node chosen = fit.stream()
        .min(Comparator.comparing((Node n) -> p.avoid.contains(n.name))
            .thenComparing(n -> !n.name.equals(p.prefer))
            .thenComparing(n -> n.name))
        .orElse(null);
    if (chosen == null) {
      p.unschedulable = true;
    } else {
      p.node = chosen.name;
      p.unschedulable = false;
    }
  }

  private Node nodeOf(Pod p) {
    return p.node == null ? null : nodes.get(p.node);
  }

  private void kubelet(Pod p) {
    Node n = nodeOf(p);
    if (n == null || n.mode != NodeMode.Up) return; // nothing reaches the API server from there
    if (p.deleting()) {
      p.appDown = true; // SIGTERM: the application exits; the sidecar may linger
      if (sidecarLingers(p)) return;
      if (!now.isBefore(p.deletionRequestedAt.plus(gracefulTermination))) pods.remove(p.name);
      return;
    }
    if (p.phase == PodPhase.Pending && autoStart) {
      p.phase = PodPhase.Running;
      p.app = AppContainer.running(0);
      p.readySince = now;
      p.ready = false;
    }
    if (p.phase != PodPhase.Running) return;
    p.ticksRunning++;
    boolean ready = p.readyOverride != null
        ? p.readyOverride
        : !p.appDown && (p.role == Role.Primary ? serving(p) : Boolean.TRUE.equals(p.inSync));
    if (ready != p.ready) {
      p.ready = ready;
      p.readySince = now;
    }
  }

  private boolean sidecarRuns(Pod p) {
    Node n = nodeOf(p);
    return n != null && n.runsPods() && p.phase == PodPhase.Running && !p.sidecarHung;
  }

  private boolean talk(Pod a, Pod b) {
    if (a == null || b == null || !sidecarRuns(a) || !sidecarRuns(b) || podNetworkSplit)
      return false;
    return nodeOf(a).mode != NodeMode.Isolated && nodeOf(b).mode != NodeMode.Isolated;
  }

  private void primarySidecar(Pod p) {
    if (!sidecarRuns(p)) return;
    // (a primary its standby confirms skips its renewals: they are for the moments nobody else
    // vouches for it)
    if (nodeOf(p).reachesApi() && lease != null && !p.leaseBlocked && !confirmedByStandby(p)) {
      if (p.name.equals(lease.holder()) && lease.epoch() == p.epoch) {
        lease = new PrimaryLease(lease.holder(), lease.epoch(), now, lease.duration());
        p.lastRenewal = now;
      } else if (lease.epoch() >= p.epoch) {
        p.selfFenced = true; // the lease moved on: deposed, stop acknowledging at once
      }
    }
    if (p.selfFenced) return;
    Pod sb = p.peer == null ? null : pods.get(p.peer);
    boolean connected = talk(p, sb)
        && sb.role == Role.Standby
        && sb.epoch == p.epoch
        && p.name.equals(sb.peer)
        && sb.ticksRunning > 1;
    if (connected) sb.open = new LinkedHashMap<>(p.open);
    if (connected)
      sb.seq = Math.max(
          sb.seq,
          p.seq
              - (policy.mode() == UnitPolicy.Mode.Asynchronous
                  ? asyncLag
                  : 0)); // streaming, catching up
    // No new writes: a lapsed lease stops acknowledging until renewed again; clients reach a
    // primary through the Service.
    if (!serving(p) || p.appDown || !p.name.equals(selector)) return;
    if (policy.mode() == UnitPolicy.Mode.Asynchronous) {
      p.seq += writesPerTick;
      acked = p.seq;
      if (connected) sb.seq = Math.max(sb.seq, p.seq - asyncLag);
    } else if (connected && sb.seq >= p.seq) {
      // synchronous: acknowledged only once the standby holds it
      p.seq += writesPerTick;
      sb.seq = p.seq;
      acked = p.seq;
    }
  }

  private void otherSidecar(Pod p) {
    if (!sidecarRuns(p)) return;
    if (p.role == Role.Fenced) p.selfFenced = true;
    Pod primary = pods.values().stream()
        .filter(o -> o.role == Role.Primary && o.name.equals(p.peer))
        .findFirst()
        .orElse(null);
    boolean heard = talk(p, primary);
    if (heard || p.peerLastHeard == null)
      p.peerLastHeard = now; // (silence counts from when it started)
    if (p.manualReport) return;
    if (heard) {
      // What it knows of the primary; when it hears nothing it keeps its last word (a synchronous
      // primary cannot acknowledge anything without it).
      long behind = primary == null ? 0 : Math.max(0, primary.seq - p.seq);
      p.lag = behind;
      // (like the sidecar: an asynchronous standby that streams calls itself in sync while it
      // trails)
      p.inSync =
          p.ticksRunning > 1 && (behind == 0 || policy.mode() == UnitPolicy.Mode.Asynchronous);
    }
    Duration age = Duration.between(p.peerLastHeard, now);
    p.peerLost = age.compareTo(thresholds().peerLostAfter()) >= 0;
    p.peerHeartbeatAge = age.toMillis();
  }

  private void report(Pod p) {
    Node n = nodeOf(p);
    if (!sidecarRuns(p) || !n.reachesApi()) return;
    p.reported = true;
    p.reportRole = p.selfFenced ? Role.Fenced : p.role;
    p.reportEpoch = p.epoch;
    p.reportedReprocessing = p.role == Role.Primary ? reprocessing(p) : List.of();
    p.reportedReprocessingNow =
        p.reportedReprocessing.stream().filter(p.takenUp::contains).toList();
    if (!p.manualReport) {
      if (p.role == Role.Primary) {
        p.lag = null;
        p.inSync = null;
        p.peerLost = null;
        p.peerHeartbeatAge = null;
      }
    }
    boolean inSyncNow = p.role == Role.Standby && Boolean.TRUE.equals(p.inSync);
    if (!inSyncNow) p.inSyncSince = null;
    else if (p.inSyncSince == null || p.inSyncEpoch != p.epoch) p.inSyncSince = now;
    p.inSyncEpoch = p.epoch;
    p.reportedAt = now;
  }

  /** Stimuli a primary holds from before its promotion: its application reprocesses them. */
  private static List<String> reprocessing(Pod p) {
    return p.open.entrySet().stream()
        .filter(e -> e.getValue() < p.promotedAtEpoch)
        .map(Map.Entry::getKey)
        .toList();
  }

  // ------------------------------------------------------------------ the journal's application

  /** Stimuli that crash the application of any primary that processes them. */
  final Set<String> poison = new java.util.HashSet<>();
  /** Ground truth: the members whose application crashed with each stimulus unfinished. */
  final Map<String, List<String>> crashedOn = new LinkedHashMap<>();
  /** Ground truth: stimuli whose users the application told they were ignored (settled). */
  final List<String> toldIgnored = new ArrayList<>();

  /** Whether the applications say which stimulus they are reprocessing (OuClient.reprocessing). */
  boolean declares = true;

  /**
   * The primary's application begins stimuli (each BEGIN reaches the standby first, as in Journal mode), all under way
   * together; a poison among them crashes it.
   */
  void begin(String... ids) {
    Pod p = primary();
    Pod sb = p.peer == null ? null : pods.get(p.peer);
    for (String id : ids) {
      p.open.put(id, p.epoch);
      if (sb != null && talk(p, sb) && sb.epoch == p.epoch) sb.open.put(id, p.epoch);
    }
    if (java.util.Arrays.stream(ids).anyMatch(poison::contains)) crashWith(p);
  }

  /** As the sample's application on a serving primary: settle what is quarantined, reprocess the rest (a poison crashes it). */
  private void application(Pod p) {
    if (p.role != Role.Primary || p.appDown || !serving(p) || !sidecarRuns(p)) return;
    for (String id : reprocessing(p)) {
      if (p.settings != null && p.settings.quarantined().contains(id)) {
        end(p, id);
        toldIgnored.add(id);
      } else if (poison.contains(id)) {
        if (declares) p.takenUp.add(id);
        report(p); // (the sidecar's report goes out before the application goes on)
        crashWith(p);
        return;
      } else {
        end(p, id);
      }
    }
  }

  private void end(Pod p, String id) {
    p.open.remove(id);
    Pod sb = p.peer == null ? null : pods.get(p.peer);
    if (sb != null && talk(p, sb) && sb.epoch == p.epoch) sb.open.remove(id);
  }

  private void crashWith(Pod p) {
    for (String id : p.open.keySet())
      crashedOn.computeIfAbsent(id, k -> new ArrayList<>()).add(p.name);
    appCrashLoop(p.name);
    p.restartAt = now.plus(POISON_RESTART);
  }

  /** The kubelet starts an application a poison crashed again (the first CrashLoopBackOff delay). */
  static final Duration POISON_RESTART = Duration.ofSeconds(10);

  private void restartCrashed(Pod p) {
    if (p.restartAt != null && !now.isBefore(p.restartAt)) {
      p.restartAt = null;
      appRecovers(p.name);
    }
  }

  // ------------------------------------------------------------------ faults

  Pod pod(String name) {
    return Objects.requireNonNull(pods.get(name), name);
  }

  Pod primary() {
    return pod(status.primary());
  }

  Pod standby() {
    return pod(status.standby());
  }

  Node node(String name) {
    return nodes.get(name);
  }

  /** The kubelet starts a scheduled pod's containers (for tests that hold pods back: {@code autoStart} false). */
  void startPod(String name) {
    Pod p = pod(name);
    p.phase = PodPhase.Running;
    p.app = AppContainer.running(0);
    p.readySince = now;
    p.ready = false;
  }

  void deletePod(String name) {
    terminate(pod(name));
  }

  /** A graceful deletion: SIGTERM to its containers (the kubelet's part comes with its next tick). */
  private void terminate(Pod p) {
    p.deletionRequestedAt = now;
    p.roleAtTerm = p.role;
  }

  /** As the sidecar's ShutdownLinger: a primary's sidecar stays while it is (or may yet be) kept as the standby. */
  private boolean sidecarLingers(Pod p) {
    if (p.roleAtTerm != Role.Primary && !p.keptAfterTerm) return false;
    Duration since = Duration.between(p.deletionRequestedAt, now);
    if (since.compareTo(SHUTDOWN_MAX) >= 0) return false;
    if (p.role == Role.Standby) return p.keptAfterTerm = true;
    if (p.keptAfterTerm || p.role == Role.Fenced) return false; // released, or fenced: not kept
    return since.compareTo(SHUTDOWN_KEEP_WINDOW) < 0;
  }

  void removePod(String name) {
    pods.remove(name);
  }

  void evict(String name) {
    Pod p = pod(name);
    p.phase = PodPhase.Failed;
    p.ready = false;
    p.readySince = now;
    p.app = new AppContainer(AppContainer.State.Terminated, p.app.restartCount(), "Evicted", now);
  }

  void appTerminated(String name) {
    Pod p = pod(name);
    p.appDown = true;
    p.app = new AppContainer(AppContainer.State.Terminated, p.app.restartCount(), "Error", now);
  }

  /** The app exited, and the kubelet starts it again (restartPolicy Always; the back-off comes later). */
  void appExits(String name, Duration restartAfter) {
    appTerminated(name);
    pod(name).restartAt = now.plus(restartAfter);
  }

  /** The app crashed and waits to be started again (the kubelet counts the restart once it runs again). */
  void appCrashLoop(String name) {
    Pod p = pod(name);
    p.appDown = true;
    p.app =
        new AppContainer(AppContainer.State.Waiting, p.app.restartCount(), "CrashLoopBackOff", now);
  }

  /** The app restarted quickly and runs again. */
  void appRestarted(String name) {
    Pod p = pod(name);
    p.app = new AppContainer(AppContainer.State.Running, p.app.restartCount() + 1, null, now);
  }

  /** The app runs again: a crashed one was started again by the kubelet, which counts that restart now. */
  void appRecovers(String name) {
    Pod p = pod(name);
    p.appDown = false;
    p.app = new AppContainer(
        AppContainer.State.Running, p.app.restartCount() + (p.app.crashed() ? 1 : 0), null, now);
  }

  void setReadiness(String name, Boolean ready) {
    pod(name).readyOverride = ready;
  }

  void appReportedUnhealthy(String name, boolean unhealthy) {
    pod(name).appHealthy = !unhealthy;
  }

  void nodeNotReady(String node) {
    Node n = node(node);
    n.heldNotReady = true;
    setReady(n, NodeView.Ready.False);
  }

  void nodeUnknown(String node) {
    Node n = node(node);
    n.mode = NodeMode.Dead;
    setReady(n, NodeView.Ready.Unknown);
  }

  void killNode(String node) {
    node(node).mode = NodeMode.Dead;
  }

  void isolateNode(String node) {
    node(node).mode = NodeMode.Isolated;
  }

  void cordon(String node) {
    node(node).cordoned = true;
    node(node).cordonedAt = now;
  }

  void uncordon(String node) {
    node(node).cordoned = false;
  }

  void healNode(String node) {
    Node n = node(node);
    n.mode = NodeMode.Up;
    n.heldNotReady = false;
    n.kubeletStalled = false;
  }

  // ------------------------------------------------------------------ what happened

  Phase lastPhase() {
    return steps.isEmpty() ? null : steps.get(steps.size() - 1).decision().phase();
  }

  Decision last() {
    return steps.get(steps.size() - 1).decision();
  }

  /** Distinct consecutive phases, in order. */
  List<Phase> phases() {
    List<Phase> out = new ArrayList<>();
    for (Step s : steps)
      if (out.isEmpty() || out.get(out.size() - 1) != s.decision().phase())
        out.add(s.decision().phase());
    return out;
  }

  List<Phase> phasesSince(int stepIndex) {
    List<Phase> out = new ArrayList<>();
    for (Step s : steps.subList(stepIndex, steps.size()))
      if (out.isEmpty() || out.get(out.size() - 1) != s.decision().phase())
        out.add(s.decision().phase());
    return out;
  }

  List<Action> actions() {
    return steps.stream()
        .flatMap(s -> s.decision().actions().stream().limit(s.actionsDone()))
        .toList();
  }

  List<Action> actionsSince(int stepIndex) {
    return steps.subList(stepIndex, steps.size()).stream()
        .flatMap(s -> s.decision().actions().stream().limit(s.actionsDone()))
        .toList();
  }

  List<EventReason> events() {
    return actions().stream()
        .filter(a -> a instanceof Emit)
        .map(a -> ((Emit) a).reason())
        .toList();
  }

  /** Distinct consecutive event reasons since a step (repeated reports collapse into one). */
  List<EventReason> eventsSince(int stepIndex) {
    List<EventReason> out = new ArrayList<>();
    for (Action a : actionsSince(stepIndex)) {
      if (a instanceof Emit e && (out.isEmpty() || out.get(out.size() - 1) != e.reason()))
        out.add(e.reason());
    }
    return out;
  }

  ConditionView condition(ConditionType type) {
    return last().conditions().stream()
        .filter(c -> c.type() == type)
        .findFirst()
        .orElseThrow();
  }

  int mark() {
    return steps.size();
  }

  @Override
  public String toString() {
    return "World at " + Duration.between(T0, now).toMillis() + " ms: status " + status + "; pods "
        + pods.values().stream()
            .map(p -> p.name + "@" + p.node + ":" + p.role + "/" + p.epoch + "->" + p.peer
                + (p.deleting() ? "(deleting)" : "") + " " + p.phase
                + (p.ready ? " ready" : "")
                + (p.app != null ? " app " + p.app.state() + "/" + p.app.restartCount() : "")
                + (p.unschedulable ? " unschedulable" : "")
                + " report " + p.reportRole + "/" + p.reportEpoch + " seq " + p.seq + " inSync "
                + p.inSync + " lag " + p.lag + " peerLost " + p.peerLost)
            .collect(Collectors.joining(", "))
        + "; nodes "
        + nodes.values().stream()
            .map(n -> n.name + ":" + n.mode + "/" + n.ready)
            .collect(Collectors.joining(", "))
        + "; selector " + selector + "; lease " + lease + "; acked " + acked + "; promotions "
        + promotions;
  }
}
