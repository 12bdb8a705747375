package dev.availability.ou.sidecar;

import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.PeerAuth;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One unit's member in this process: its store and log writer, its {@link Replica}, its replication
 * listener and link to its standby, its control source, lease and reports. A sidecar runs one
 * ({@link Sidecar}); a pooled sidecar runs one per unit of its pool ({@link PooledSidecar}). What a process
 * has once — the application's local API, its health, the heap, the HTTP endpoint — is not here.
 */
final class UnitMember implements AutoCloseable {
  private final Config cfg;
  private final Counters counters;
  private final Store store;
  private final LogWriter writer;
  private final Replica replica;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final AppHealth appHealth;
  private final HeapWatch heapWatch;
  private final ControlSource control;
  private final ReplicationServer replication;
  private final LeaseKeeper lease;
  private final ScheduledExecutorService ticker;
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  private final Object reportLock = new Object();
  private PrimaryLinks primaryLinks;

  /**
   * {@code heapWatch} and {@code appHealth} belong to the process (one heap, one application); {@code ticker}
   * may be shared by several members; {@code counters} are this member's (shown on /status and /metrics).
   */
  UnitMember(
      Config cfg,
      Counters counters,
      ControlSource control,
      AppHealth appHealth,
      HeapWatch heapWatch,
      ScheduledExecutorService ticker)
      throws Exception {
    this.cfg = cfg;
    this.counters = counters;
    this.control = control;
    this.appHealth = appHealth;
    this.heapWatch = heapWatch;
    this.ticker = ticker;
    Limits limits = Limits.DEFAULT.withValueBytes(cfg.maxValueBytes());
    if (cfg.batchBytes() > limits.maxBatchBytes())
      throw new IllegalArgumentException("OU_BATCH_BYTES above " + limits.maxBatchBytes());
    byte[] key = Files.readAllBytes(cfg.peerKeyFile());
    this.auth = new PeerAuth(key, cfg.sealStream());
    this.codec = new FrameCodec(limits);
    // What opened before a failure (a port in use, a damaged log) is closed again: a unit that
    // could not join a
    // pool leaves no thread, file or listener behind.
    Store store = null;
    LogWriter writer = null;
    ReplicationServer replication = null;
    try {
      store = new Store(cfg.dataDir(), limits, cfg.segmentBytes(), counters);
      writer = new LogWriter(store, cfg.fsync(), counters);
      this.replica = new Replica(cfg, store, writer, counters, System::nanoTime);
      this.primaryLinks = new PrimaryLinks(replica, auth, codec, cfg, counters);
      replica.listeners().addRoleListener(this::roleChanged);
      replication = new ReplicationServer(cfg, replica, auth, codec, counters);
      this.lease = new LeaseKeeper(control, replica, cfg.timing());
      // Before the control starts: its first assignment may come at once, and the report that
      // causes (on the ticker) reads the store.
      this.store = store;
      this.writer = writer;
      this.replication = replication;
      control.start(replica);
    } catch (Exception | Error e) {
      for (AutoCloseable c : new AutoCloseable[] {replication, control, writer, store}) {
        try {
          if (c != null) c.close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  /** Starts the periodic work: write timeouts and serving, reports, snapshots for retention. */
  void startTicking() {
    tasks.add(ticker.scheduleWithFixedDelay(
        () -> {
          replica.acknowledgements().expireWaiters();
          replica.checkServing("lease valid");
          // a safety net: completes anything whose condition holds
          replica.acknowledgements().progress();
          replica.completeHandover(); // a next peer the operator made the peer before it caught up
          if (peerLostChanged()) ticker.execute(this::report);
        },
        50,
        50,
        TimeUnit.MILLISECONDS));
    tasks.add(ticker.scheduleWithFixedDelay(
        this::report, 0, cfg.reportIntervalMillis(), TimeUnit.MILLISECONDS));
    tasks.add(ticker.scheduleWithFixedDelay(replica.snapshots()::maintain, 1, 1, TimeUnit.SECONDS));
  }

  private synchronized void roleChanged(Replica.RoleView v) {
    // First of the role's listeners: the new primary's first renewal is what it waits for before it
    // serves, so it starts before the link, the report and the application hear of the promotion.
    if (v.role() == Role.Primary && lease != null) lease.wake();
    primaryLinks.follow(v.role(), v.epoch());
    // A promoted member with stimuli to reprocess reports them before its application hears of the
    // promotion (this listener runs before the local API's): should reprocessing one kill this copy
    // too, the operator has the evidence to quarantine it (PoisonEvidence).
    if (v.role() == Role.Primary && !replica.reprocessing().open(1).isEmpty()) report();
    else if (!ticker.isShutdown()) ticker.execute(this::report);
  }

  /** Publishes the member's report now, returning once it is written (or failed). */
  void reportAtOnce() {
    report();
  }

  Replica replica() {
    return replica;
  }

  Config config() {
    return cfg;
  }

  Counters counters() {
    return counters;
  }

  ControlSource control() {
    return control;
  }

  long stateBytes() {
    return store.state().bytes();
  }

  long stateKeys() {
    return store.state().size();
  }

  /** A primary that serves, or a standby in sync. */
  boolean ready() {
    Role r = replica.role();
    return (r == Role.Primary && replica.serving())
        || (r == Role.Standby && replica.standbyProgress().inSync());
  }

  /** Why not {@link #ready()}, in words (empty when ready). */
  String notReadyBecause() {
    if (ready()) return "";
    Role r = replica.role();
    if (r == null) return "unassigned";
    if (r == Role.Standby) return "standby, not in sync";
    if (r == Role.Primary) return "primary, not serving";
    return "fenced";
  }

  private void report() {
    synchronized (reportLock) {
      reportNow();
    }
  }

  // What the last report said of the peer's heartbeats.
  private volatile boolean reportedPeerLost;
  private final InSyncSince inSyncSince = new InSyncSince();

  /**
   * Whether the peer's heartbeats were lost or found again since the last report. That is told at once, not at the
   * next report (every OU_REPORT_INTERVAL, a second by default): a standby's word that it lost its primary is one of
   * the two signals that fail a primary whose node died, and waiting for the tick cost up to a second of every such
   * failover (the node-kill drill: 1.35–1.73 s from the fault to the decision, of which 1 s is the heartbeat timeout).
   */
  private boolean peerLostChanged() {
    return replica.role() != null
        && (replica.peerHeartbeatAgeMillis() > cfg.peerLostAfterMillis()) != reportedPeerLost;
  }

  private void reportNow() {
    try {
      Role r = replica.role();
      if (r == null) return;
      long age = replica.peerHeartbeatAgeMillis();
      reportedPeerLost = age > cfg.peerLostAfterMillis();
      long now = System.currentTimeMillis();
      boolean inSync = r == Role.Standby && replica.standbyProgress().inSync();
      MemberReport report = new MemberReport(
          replica.reportedRole(),
          replica.epoch(),
          replica.durableSeq(),
          replica.lag(),
          r == Role.Standby ? inSync : null,
          age > cfg.peerLostAfterMillis(),
          age,
          appHealth.healthy(),
          cfg.advertisedEndpoint(),
          now,
          store.state().bytes(),
          heapWatch.heapBytes(),
          heapWatch.tooSmall(),
          replica.reprocessing().open(MemberReport.MAX_REPROCESSING),
          replica.reprocessing().now(MemberReport.MAX_REPROCESSING),
          inSyncSince.at(inSync, replica.epoch(), now));
      // Offered every OU_REPORT_INTERVAL; the control source decides what reaches the API server
      // (MemberChannel.publish: anything the operator acts on at once, positions and sizes at most
      // every OU_POSITION_REPORT_INTERVAL).
      control.publish(report);
    } catch (RuntimeException e) {
      Logs.error("report failed", e);
    }
  }

  /** This member's part of /status: the replica's lines, its endpoint, its counters and notes, its last report. */
  Map<String, String> status() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String l : replica.statusLines()) {
      int i = l.indexOf('=');
      m.put(l.substring(0, i), l.substring(i + 1));
    }
    m.put("control", cfg.control());
    m.put("member", cfg.memberName());
    m.put("replicationEndpoint", cfg.advertisedEndpoint());
    counters.snapshot().forEach((k, v) -> m.put("counter." + k, Long.toString(v)));
    counters.notes().forEach((k, v) -> m.put("note." + k, v));
    MemberReport last = control.lastReport();
    if (last != null) m.put("lastReport", last.toString());
    return m;
  }

  /** This member's gauges and counters for /metrics (the heap's are the process's). */
  Map<String, Long> metrics() {
    Map<String, Long> m = new LinkedHashMap<>(counters.snapshot());
    m.put("last_seq", replica.lastSeq());
    m.put("durable_seq", replica.durableSeq());
    Long lag = replica.lag();
    if (lag != null) m.put("lag", lag); // unknown until a standby hears its primary
    m.put("epoch", replica.epoch());
    m.put("peer_heartbeat_age_ms", replica.peerHeartbeatAgeMillis());
    m.put("state_keys", (long) store.state().size());
    m.put("state_bytes", store.state().bytes());
    return m;
  }

  /** Whether the log writer works (liveness). */
  boolean live() {
    return writer.failure() == null;
  }

  @Override
  public void close() {
    for (ScheduledFuture<?> t : tasks) t.cancel(false);
    lease.close();
    synchronized (this) {
      primaryLinks.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {replication, control, writer, store}) {
      try {
        c.close();
      } catch (Exception e) {
        Logs.error("closing " + c.getClass().getSimpleName() + " of " + cfg.memberName(), e);
      }
    }
  }
}
