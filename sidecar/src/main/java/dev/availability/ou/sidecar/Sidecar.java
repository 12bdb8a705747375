package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.contract.SidecarHeap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wires one sidecar: its unit's member ({@link UnitMember}), the application's local API and health, the heap
 * watch and the HTTP endpoint; see {@link SidecarMain}. A shared standby is a {@link PooledSidecar} instead.
 */
public final class Sidecar implements AutoCloseable, HealthServer.View {
  private final Config cfg;
  private final Counters counters = new Counters();
  // Null while it starts: the health endpoint answers before the member exists (see the
  // constructor).
  private volatile UnitMember member;
  private final HeapWatch heapWatch;
  private final AppHealth appHealth;
  private final LocalApiServer localApi;
  private final HealthServer health;
  private final ShutdownLinger.LastPrimary lastPrimary;
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "ou-ticker");
    t.setDaemon(true);
    return t;
  });

  public Sidecar(Config cfg) throws Exception {
    this.cfg = cfg;
    this.appHealth = new AppHealth(cfg.appProbe(), cfg.appProbeIntervalMillis());
    // Reads the member's state lazily: it is checked only once the member exists.
    this.heapWatch = new HeapWatch(
        this::stateBytes, this::stateKeys, Runtime.getRuntime().maxMemory(), counters);
    // The health endpoint first: the member's control may wait up to 30 s for the API server's
    // first answer
    // (PodWatches.firstList), and a sidecar whose /healthz did not answer meanwhile failed its
    // liveness probe three
    // times and was restarted while it started (the pool drill on two loaded cores: a new primary's
    // sidecar killed
    // 10 s after its start, its JVM then exiting under its first assignment). Live and not ready
    // while it starts.
    this.health = new HealthServer(cfg, this);
    try {
      this.member = new UnitMember(
          cfg, counters, UnitControls.of(cfg).control(null, cfg), appHealth, heapWatch, ticker);
    } catch (Exception | Error e) {
      health.close();
      throw e;
    }
    // Last: the application's first request finds the role already taken.
    this.localApi = new LocalApiServer(
        cfg, new SingleMemberTarget(member, appHealth), member.counters(), appHealth);
    this.lastPrimary = new ShutdownLinger.LastPrimary(member.replica().role());
    member.replica().listeners().addRoleListener(lastPrimary);
    member.startTicking();
    ticker.scheduleWithFixedDelay(heapWatch::check, 0, 5, TimeUnit.SECONDS);
    Logs.info("ou-sidecar up: local API " + cfg.localApi() + ", replication " + cfg.replication()
        + " (advertised "
        + cfg.advertisedEndpoint()
        + (cfg.sealStream()
            ? ", asks for a stream sealed with AES-256-GCM"
            : ", does not ask for stream encryption (OU_STREAM_ENCRYPTION=none)")
        + "), health " + cfg.health() + ", data " + cfg.dataDir() + ", mode "
        + member.replica().mode().label()
        + ", fsync " + cfg.fsync() + ", control " + cfg.control());
  }

  private long stateBytes() {
    return member.stateBytes();
  }

  private long stateKeys() {
    return member.stateKeys();
  }

  @Override
  public boolean live() {
    UnitMember m = member;
    return m == null || m.live();
  }

  @Override
  public boolean knows(String unit) {
    return unit == null;
  }

  @Override
  public String notReady(String unit) {
    UnitMember m = member;
    return m == null ? "starting" : m.notReadyBecause();
  }

  @Override
  public Map<String, String> status(String unit) {
    if (member == null) return Map.of("starting", "true");
    Map<String, String> m = new LinkedHashMap<>(member.status());
    Boolean app = appHealth.healthy();
    m.put("appHealthy", app == null ? null : app.toString());
    m.put("heapNeededBytes", Long.toString(SidecarHeap.forStateBytes(member.stateBytes())));
    m.put("heapMaxBytes", Long.toString(heapWatch.heapBytes()));
    m.put("heapTooSmall", Boolean.toString(heapWatch.tooSmall()));
    return m;
  }

  @Override
  public Map<String, Long> metrics() {
    if (member == null) return Map.of();
    Map<String, Long> m = new LinkedHashMap<>(member.metrics());
    m.put("heap_needed_bytes", SidecarHeap.forStateBytes(member.stateBytes()));
    m.put("heap_max_bytes", heapWatch.heapBytes());
    return m;
  }

  int healthPort() {
    return health.port();
  }

  /**
   * After SIGTERM: stays while {@link ShutdownLinger} says the operator keeps (or may keep) this member as the new
   * primary's standby, then returns; the caller closes.
   */
  void lingerAfterTerm(ShutdownLinger.Settings settings) throws InterruptedException {
    Replica r = member.replica();
    Role role = r.role();
    long epoch = r.epoch();
    ShutdownLinger linger = new ShutdownLinger(settings, role, lastPrimary.millisSincePrimary());
    long t0 = System.nanoTime();
    String why;
    boolean said = false;
    while ((why = linger.leaveBecause(r.role(), r.epoch(), (System.nanoTime() - t0) / 1_000_000))
        == null) {
      if (!said) {
        Logs.info("SIGTERM as " + role + " at epoch " + epoch
            + ": staying while the operator may keep this member as the new primary's standby");
        said = true;
      }
      Thread.sleep(50);
    }
    if (said) Logs.info("leaving: " + why);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    for (AutoCloseable c : new AutoCloseable[] {localApi, health, member, appHealth}) {
      try {
        c.close();
      } catch (Exception e) {
        Logs.error("closing " + c.getClass().getSimpleName(), e);
      }
    }
  }
}
