package dev.availability.ou.sidecar;

import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.contract.SidecarHeap;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.PeerAuth;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Wires the parts of one sidecar together; see {@link SidecarMain}. */
public final class Sidecar implements AutoCloseable {
  private final Config cfg;
  private final Counters counters = new Counters();
  private final Store store;
  private final LogWriter writer;
  private final Replica replica;
  private final HeapWatch heapWatch;
  private final PeerAuth auth;
  private final FrameCodec codec;
  private final AppHealth appHealth;
  private final ControlSource control;
  private final ReplicationServer replication;
  private final LocalApiServer localApi;
  private final HealthServer health;
  private final LeaseKeeper lease;
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "ou-ticker");
    t.setDaemon(true);
    return t;
  });
  private PrimaryLink primaryLink;

  public Sidecar(Config cfg) throws Exception {
    this.cfg = cfg;
    Limits limits = Limits.DEFAULT.withValueBytes(cfg.maxValueBytes());
    if (cfg.batchBytes() > limits.maxBatchBytes())
      throw new IllegalArgumentException("OU_BATCH_BYTES above " + limits.maxBatchBytes());
    byte[] key = Files.readAllBytes(cfg.peerKeyFile());
    this.auth = new PeerAuth(key, cfg.sealStream());
    this.codec = new FrameCodec(limits);
    this.store = new Store(cfg.dataDir(), limits, cfg.segmentBytes(), counters);
    this.writer = new LogWriter(store, cfg.fsync(), counters);
    this.replica = new Replica(cfg, store, writer, counters, System::nanoTime);
    this.heapWatch = new HeapWatch(
        () -> store.state().bytes(),
        () -> store.state().size(),
        Runtime.getRuntime().maxMemory(),
        counters);
    this.appHealth = new AppHealth(cfg.appProbe(), cfg.appProbeIntervalMillis());
    this.control = cfg.control().equals("kubernetes")
        ? new KubernetesControl(cfg)
        : new StandaloneControl(cfg);
    replica.listeners().addRoleListener(v -> roleChanged(v));
    this.replication = new ReplicationServer(cfg, replica, auth, codec, counters);
    this.lease = new LeaseKeeper(control, replica, cfg.timing());
    control.start(replica);
    this.health = new HealthServer(
        cfg, () -> writer.failure() == null, this::ready, this::status, this::metrics);
    // Last: the application's first request finds the role already taken.
    this.localApi = new LocalApiServer(
        cfg,
        replica,
        counters,
        appHealth,
        control instanceof StandaloneControl s ? s : null,
        this::report);
    ticker.scheduleWithFixedDelay(
        () -> {
          replica.acknowledgements().expireWaiters();
          replica.checkServing("lease valid");
          replica
              .acknowledgements()
              .progress(); // a safety net: completes anything whose condition holds
        },
        50,
        50,
        TimeUnit.MILLISECONDS);
    ticker.scheduleWithFixedDelay(
        this::report, 0, cfg.reportIntervalMillis(), TimeUnit.MILLISECONDS);
    ticker.scheduleWithFixedDelay(replica.snapshots()::maintain, 1, 1, TimeUnit.SECONDS);
    ticker.scheduleWithFixedDelay(heapWatch::check, 0, 5, TimeUnit.SECONDS);
    Logs.info("ou-sidecar up: local API " + cfg.localApi() + ", replication " + cfg.replication()
        + " (advertised "
        + cfg.advertisedEndpoint()
        + (auth.sealsStream()
            ? ", asks for a stream sealed with AES-256-GCM"
            : ", does not ask for stream encryption (OU_STREAM_ENCRYPTION=none)")
        + "), health " + cfg.health() + ", data " + cfg.dataDir() + ", mode "
        + replica.mode().label()
        + ", fsync " + cfg.fsync() + ", control " + cfg.control());
  }

  private synchronized void roleChanged(Replica.RoleView v) {
    if (v.role() == Role.Primary) {
      if (primaryLink == null || primaryLink.epoch() != v.epoch()) {
        if (primaryLink != null) primaryLink.close();
        primaryLink = new PrimaryLink(replica, auth, codec, cfg, counters, v.epoch());
      }
    } else if (primaryLink != null) {
      primaryLink.close();
      primaryLink = null;
    }
    // A promoted member with stimuli to reprocess reports them before its application hears of the
    // promotion (this listener runs before the local API's): should reprocessing one kill this copy
    // too, the operator has the evidence to quarantine it (PoisonEvidence).
    if (v.role() == Role.Primary && !replica.reprocessing(1).isEmpty()) report();
    else ticker.execute(this::report);
  }

  private boolean ready() {
    Role r = replica.role();
    return (r == Role.Primary && replica.serving())
        || (r == Role.Standby && replica.standbyProgress().inSync());
  }

  private final Object reportLock = new Object();

  private void report() {
    synchronized (reportLock) {
      reportNow();
    }
  }

  private void reportNow() {
    try {
      Role r = replica.role();
      if (r == null) return;
      Role reported = replica.reportedRole();
      long age = replica.peerHeartbeatAgeMillis();
      MemberReport report = new MemberReport(
          reported,
          replica.epoch(),
          replica.durableSeq(),
          replica.lag(),
          r == Role.Standby ? replica.standbyProgress().inSync() : null,
          age > cfg.peerLostAfterMillis(),
          age,
          appHealth.healthy(),
          cfg.advertisedEndpoint(),
          System.currentTimeMillis(),
          store.state().bytes(),
          heapWatch.heapBytes(),
          heapWatch.tooSmall(),
          replica.reprocessing(MemberReport.MAX_REPROCESSING),
          replica.reprocessingNow(MemberReport.MAX_REPROCESSING));
      // Offered every OU_REPORT_INTERVAL; the control source decides what reaches the API server
      // (MemberChannel.publish: anything the operator acts on at once, positions and sizes at most
      // every OU_POSITION_REPORT_INTERVAL).
      control.publish(report);
    } catch (RuntimeException e) {
      Logs.error("report failed", e);
    }
  }

  Map<String, String> status() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String l : replica.statusLines()) {
      int i = l.indexOf('=');
      m.put(l.substring(0, i), l.substring(i + 1));
    }
    Boolean app = appHealth.healthy();
    m.put("appHealthy", app == null ? null : app.toString());
    m.put("control", cfg.control());
    m.put("member", cfg.memberName());
    m.put("replicationEndpoint", cfg.advertisedEndpoint());
    m.put(
        "heapNeededBytes", Long.toString(SidecarHeap.forStateBytes(store.state().bytes())));
    m.put("heapMaxBytes", Long.toString(heapWatch.heapBytes()));
    m.put("heapTooSmall", Boolean.toString(heapWatch.tooSmall()));
    counters.snapshot().forEach((k, v) -> m.put("counter." + k, Long.toString(v)));
    counters.notes().forEach((k, v) -> m.put("note." + k, v));
    MemberReport last = control.lastReport();
    if (last != null) m.put("lastReport", last.toString());
    return m;
  }

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
    m.put("heap_needed_bytes", SidecarHeap.forStateBytes(store.state().bytes()));
    m.put("heap_max_bytes", heapWatch.heapBytes());
    return m;
  }

  int healthPort() {
    return health.port();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    lease.close();
    synchronized (this) {
      if (primaryLink != null) primaryLink.close();
    }
    for (AutoCloseable c :
        new AutoCloseable[] {localApi, replication, health, control, appHealth, writer, store}) {
      try {
        c.close();
      } catch (Exception e) {
        Logs.error("closing " + c.getClass().getSimpleName(), e);
      }
    }
  }
}
