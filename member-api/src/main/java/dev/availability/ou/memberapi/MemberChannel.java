package dev.availability.ou.memberapi;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A member's side of the contract, through the API server: learn the assignment from its own pod,
 * publish its report on its own pod, renew the unit's primary lease. Used by the real sidecar and by
 * the test double alike, so the two cannot drift apart. The API calls go through a {@link MemberApi}:
 * {@link HttpMemberApi} in the sidecar and the scale members, a Fabric8 one in the e2e doubles; the logic is here.
 */
public final class MemberChannel implements AutoCloseable {
  private final MemberApi api;
  private final String pod;
  private final Clock clock;
  private final Duration reportRefresh;
  private final Duration synchronousRefresh;
  private final AtomicReference<Assignment> assignment = new AtomicReference<>();
  private final AtomicReference<MemberReport> published = new AtomicReference<>();
  private final AtomicReference<MemberApi.LeaseState> lastLease = new AtomicReference<>();
  private volatile AutoCloseable watch;
  private volatile String unit;
  private final String pooledUnit;
  private final String assignmentKey;
  private final String reportKey;
  // After a failed report write, none before this (epoch millis): see publish.
  private volatile long nextWriteAtMillis;
  private volatile int failedWrites;

  /** On {@code api} (bound to the member's namespace), reports refreshed every {@link #REPORT_REFRESH}. */
  public MemberChannel(MemberApi api, String pod, Clock clock) {
    this(api, pod, clock, REPORT_REFRESH);
  }

  /**
   * On {@code api} (bound to the member's namespace); an unchanged report is rewritten every {@code reportRefresh}
   * (the sidecar's OU_POSITION_REPORT_INTERVAL). {@link #close()} stops the watch, the api stays the caller's.
   */
  public MemberChannel(MemberApi api, String pod, Clock clock, Duration reportRefresh) {
    this(api, pod, null, clock, reportRefresh);
  }

  /**
   * The channel of unit {@code pooledUnit}'s replica in a standby pool's pod (docs/pools.md): its assignment and
   * report are that unit's own annotations on the shared pod ({@link ContractKeys#assignmentAnnotation}); null for
   * a dedicated member.
   */
  public MemberChannel(
      MemberApi api, String pod, String pooledUnit, Clock clock, Duration reportRefresh) {
    this(api, pod, pooledUnit, clock, reportRefresh, reportRefresh);
  }

  /**
   * As above; while its assignment says Synchronous or Journal, an unchanged report is rewritten only every {@code
   * synchronousRefresh} (the sidecar's OU_SYNCHRONOUS_POSITION_REPORT_INTERVAL). There the positions decide nothing:
   * every acknowledged write is on the standby, so an in-sync standby's lag is nought by construction, and in-sync
   * is a fact that goes out at once. A standby catching up keeps {@code reportRefresh} (its lag is its progress), and
   * so does Asynchronous mode (the operator checks the lag against maxPromotableLag before it promotes). The refresh
   * was most of a steady unit's API writes.
   */
  public MemberChannel(
      MemberApi api,
      String pod,
      String pooledUnit,
      Clock clock,
      Duration reportRefresh,
      Duration synchronousRefresh) {
    this.synchronousRefresh = Objects.requireNonNull(synchronousRefresh);
    this.api = Objects.requireNonNull(api);
    this.pod = Objects.requireNonNull(pod);
    this.pooledUnit = pooledUnit;
    this.unit = pooledUnit;
    this.clock = clock;
    this.reportRefresh = Objects.requireNonNull(reportRefresh);
    this.assignmentKey = pooledUnit == null
        ? ContractKeys.ASSIGNMENT_ANNOTATION
        : ContractKeys.assignmentAnnotation(pooledUnit);
    this.reportKey = pooledUnit == null
        ? ContractKeys.REPORT_ANNOTATION
        : ContractKeys.reportAnnotation(pooledUnit);
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
    onAssignment(listener, trouble -> {});
  }

  /**
   * Watches the member's own pod and calls the listener with every changed assignment; {@code onTrouble} hears
   * of watch failures the api retries by itself. The first read of the pod happens before this returns.
   */
  public void onAssignment(Consumer<Assignment> listener, Consumer<String> onTrouble) {
    watch = api.watchPod(pod, p -> seen(p, listener), onTrouble);
  }

  private void seen(MemberApi.PodMeta p, Consumer<Assignment> listener) {
    if (pooledUnit == null && !p.labels().isEmpty()) unit = p.labels().get(ContractKeys.UNIT_LABEL);
    String json = p.annotations().get(assignmentKey);
    if (json == null) return;
    Assignment next;
    try {
      next = ContractJson.assignment(json);
    } catch (IllegalArgumentException e) {
      return; // not ours to fix; the operator rewrites it
    }
    Assignment previous = assignment.get();
    if (previous != null && next.epoch() < previous.epoch())
      return; // never step back to an older epoch
    if (!Objects.equals(previous, next) && assignment.compareAndSet(previous, next))
      listener.accept(next);
  }

  /**
   * Takes {@code a} as the assignment already known, before the pod was ever read (the sidecar's AssignmentFile): the
   * watch then calls its listener only for a different or newer one. No-op once an assignment is known.
   */
  public void seed(Assignment a) {
    assignment.compareAndSet(null, a);
  }

  public Assignment assignment() {
    return assignment.get();
  }

  /** How often an unchanged report is rewritten anyway by default, to refresh sequence and lag figures. */
  public static final Duration REPORT_REFRESH = Duration.ofSeconds(10);

  /** The same once in sync under a Synchronous or Journal assignment, by default (see {@link #refresh}). */
  public static final Duration SYNCHRONOUS_REPORT_REFRESH = Duration.ofSeconds(60);

  /**
   * Writes the report on the member's own pod when its facts changed ({@link MemberReport#sameFactsAs}), or when
   * the last write is older than the report refresh of its mode (positions, lag and sizes move with every write;
   * {@link #refresh}); returns
   * whether it wrote. One write per change keeps the API server's load proportional to events, not to traffic.
   * This is the only throttle between a member and the API server: its callers offer a report every tick.
   *
   * <p>A write that fails (the API server overloaded answers 429 or 504) is not tried again before a backoff: 1 s,
   * doubling to {@link #MAX_REPORT_BACKOFF}, with jitter. Measured at 1,000 units: members retrying every tick made
   * 13,736 writes the server refused for 12,935 it took, and those retries were most of its load.
   */
  public boolean publish(MemberReport report) {
    MemberReport last = published.get();
    if (report.sameFactsAs(last)
        && report.reportedAtMillis() - last.reportedAtMillis() < refresh(report).toMillis())
      return false;
    long now = clock.millis();
    if (now < nextWriteAtMillis) return false;
    String patch = Json.write(
        Map.of("metadata", Map.of("annotations", Map.of(reportKey, ContractJson.toJson(report)))));
    try {
      api.mergePatchPod(pod, patch);
    } catch (RuntimeException e) {
      int failures = Math.min(failedWrites + 1, 16);
      failedWrites = failures;
      long backoff = Math.min(MAX_REPORT_BACKOFF.toMillis(), 1000L << Math.min(failures - 1, 10));
      // Jitter: members that failed together do not all come back together.
      nextWriteAtMillis = now
          + backoff / 2
          + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      throw e;
    }
    failedWrites = 0;
    nextWriteAtMillis = 0;
    published.set(report);
    return true;
  }

  /**
   * How often {@code report}, unchanged in its facts, is rewritten: the synchronous refresh under a Synchronous or
   * Journal assignment, except for a standby still catching up (its lag is its progress, shown in the unit's status).
   */
  Duration refresh(MemberReport report) {
    Assignment a = assignment.get();
    boolean synchronous =
        a != null && ("Synchronous".equals(a.mode()) || "Journal".equals(a.mode()));
    boolean catchingUp = report.role() == Role.Standby && !Boolean.TRUE.equals(report.inSync());
    return synchronous && !catchingUp ? synchronousRefresh : reportRefresh;
  }

  /** The longest wait between report writes after failures (a role change waits too: the server refused the last). */
  public static final Duration MAX_REPORT_BACKOFF = Duration.ofSeconds(8);

  /** Forget what was published, so the next report is written even if unchanged (after a reconnect). */
  public void republish() {
    published.set(null);
  }

  /** The replication endpoint the peer advertises in its report, or null when it has not reported one. */
  public String peerReplicationEndpoint(String peerPod) {
    return peerReplicationEndpoint(peerPod, 0);
  }

  /**
   * As above; before a member of this unit has reported, its pod's address with {@code port} (the unit's members run
   * one template, so its sidecar listens where this one does; 0: no such guess). A new standby's sidecar reports once
   * it is up, a second or two after its pod has an address: a primary that waits for the report connects later than
   * one that tries the address (refused until the sidecar listens, which costs nothing to retry). A pool's pod
   * listens on a port per unit, which only its report says.
   */
  public String peerReplicationEndpoint(String peerPod, int port) {
    MemberApi.PodMeta peer = api.getPod(peerPod);
    if (peer == null) return null;
    String reported = reportedEndpoint(peer);
    if (reported != null || port <= 0 || peer.podIP() == null || peer.podIP().isBlank())
      return reported;
    String peersUnit = peer.labels().get(ContractKeys.UNIT_LABEL);
    if (pooledUnit != null || unit == null || !unit.equals(peersUnit)) return null;
    return (peer.podIP().contains(":") ? "[" + peer.podIP() + "]" : peer.podIP()) + ":" + port;
  }

  private String reportedEndpoint(MemberApi.PodMeta peer) {
    // A pool's pod reports for each unit under that unit's key; a dedicated member under the plain
    // one.
    String u = unit;
    String json = u == null ? null : peer.annotations().get(ContractKeys.reportAnnotation(u));
    if (json == null) json = peer.annotations().get(ContractKeys.REPORT_ANNOTATION);
    if (json == null) return null;
    try {
      return ContractJson.report(json).replicationEndpoint();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The outcome of a lease renewal; {@code takenAway} when the API server answered that the lease is not this
   * member's (another holder or epoch, or no lease): unlike an API server that cannot be reached, that is final.
   */
  public record Renewal(boolean held, Duration leaseDuration, String reason, boolean takenAway) {
    public Renewal(boolean held, Duration leaseDuration, String reason) {
      this(held, leaseDuration, reason, false);
    }
  }

  /**
   * Renews the unit's primary lease if this member holds it at {@code epoch}. A primary whose renewal
   * fails must stop acknowledging writes before {@code leaseDuration} has passed since its last success.
   */
  public Renewal renewPrimaryLease(String unitName, long epoch) {
    return renewPrimaryLease(unitName, epoch, null);
  }

  /**
   * As {@link #renewPrimaryLease(String, long)}, writing {@code duration} into the lease when it says another: the
   * holder changes the duration only with a renewal, so from the moment it is written the holder's own reckoning
   * (renewal sent + duration − margin) and the operator's (renewal seen + duration) use the same figure.
   */
  public Renewal renewPrimaryLease(String unitName, long epoch, Duration wanted) {
    String name = ContractKeys.primaryLeaseName(unitName);
    for (int attempt = 0; attempt < 2; attempt++) {
      // One write per renewal: the lease from the last success carries the resourceVersion to
      // update against; only a conflict (someone else wrote it) costs a read.
      MemberApi.LeaseState lease = lastLease.get();
      if ((lease == null || !name.equals(lease.name())) && attempt == 0) {
        // The first renewal at an epoch (just promoted): one conditional write, no read. Refused,
        // the read below says why.
        lease = api.renewLeaseHeldBy(name, pod, epoch, clock.instant());
        if (lease != null) {
          lastLease.set(lease);
          Duration d = leaseDuration(lease);
          if (wanted == null || wanted.toMillis() <= 0 || wanted.equals(d))
            return new Renewal(true, d, "renewed");
          // else the duration is written by the update below, against the lease just renewed
        }
      }
      if (lease == null || !name.equals(lease.name())) {
        lease = api.getLease(name);
        if (lease == null)
          return new Renewal(false, Duration.ZERO, "lease " + name + " does not exist", true);
      }
      Duration duration = leaseDuration(lease);
      if (!lease.heldBy(pod, epoch)) {
        lastLease.set(null);
        return new Renewal(
            false,
            duration,
            "lease held by " + lease.holderIdentity() + " at epoch " + lease.epoch(),
            true);
      }
      try {
        boolean change = wanted != null && wanted.toMillis() > 0 && !wanted.equals(duration);
        lastLease.set(api.renewLease(lease, clock.instant(), change ? wanted : null));
        return change
            ? new Renewal(
                true,
                wanted,
                "renewed with lease duration " + wanted.toMillis() + " ms (was "
                    + duration.toMillis() + " ms)")
            : new Renewal(true, duration, "renewed");
      } catch (MemberApiException e) {
        lastLease.set(null);
        if (!e.isConflict())
          return new Renewal(false, duration, "renewal failed: " + e.getMessage());
      }
    }
    return new Renewal(false, Duration.ZERO, "lease kept changing under the renewal");
  }

  static Duration leaseDuration(MemberApi.LeaseState lease) {
    String ms = lease.annotations().get(ContractKeys.LEASE_DURATION_MS_ANNOTATION);
    if (ms != null) {
      try {
        long millis = Long.parseLong(ms.strip());
        if (millis > 0) return Duration.ofMillis(millis);
      } catch (NumberFormatException e) {
        // not ours to fix (the operator rewrites the Lease); the Lease's own duration stands in
      }
    }
    Integer seconds = lease.leaseDurationSeconds();
    return Duration.ofSeconds(seconds == null ? 15 : seconds);
  }

  @Override
  public void close() {
    AutoCloseable w = watch;
    if (w == null) return;
    try {
      w.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
