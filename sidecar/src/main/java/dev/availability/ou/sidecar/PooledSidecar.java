package dev.availability.ou.sidecar;

import static dev.availability.ou.client.LocalProtocol.BAD_REQUEST;
import static dev.availability.ou.client.LocalProtocol.FORBIDDEN;
import static dev.availability.ou.client.LocalProtocol.INTERNAL;

import dev.availability.ou.contract.Role;
import dev.availability.ou.sidecar.LocalApiTarget.Answer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A shared standby's sidecar (N+1): one JVM holding one replica per unit of its pool, each a {@link UnitMember}
 * with its own data directory, log, snapshots, epoch, peer, mode, replication listener and peer key, streamed from
 * its unit's primary exactly as a dedicated standby is. One local API for the pod's application
 * ({@link PoolTarget}: idle while every unit is a standby, then serving the one unit promoted here), one HTTP
 * endpoint showing every unit, one heap for all. Units join and leave at run time; at most one is primary.
 */
public final class PooledSidecar implements AutoCloseable, HealthServer.View {
  private final PoolConfig pool;
  private final UnitControls controls;
  private final Counters counters = new Counters();
  private final AppHealth appHealth;
  private final HeapWatch heapWatch;
  private final Map<String, UnitMember> members = new ConcurrentSkipListMap<>();
  private final PoolTarget target;
  private final LocalApiServer localApi;
  private boolean closed; // under this lock: a watch event waiting for it joins no unit after close
  private final HealthServer health;
  // Shared by every unit's periodic work (each task is short); two threads, as one sidecar has.
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "ou-pool-ticker");
    t.setDaemon(true);
    return t;
  });

  public PooledSidecar(PoolConfig pool) throws Exception {
    this(pool, controls(pool.base()));
  }

  /** Standalone: each unit's own; under Kubernetes: one watch of the pod for every unit ({@link KubernetesPool}). */
  private static UnitControls controls(Config base) {
    return base.control().equals("kubernetes") ? new KubernetesPool(base) : UnitControls.of(base);
  }

  PooledSidecar(PoolConfig pool, UnitControls controls) throws Exception {
    this.pool = pool;
    this.controls = controls;
    Config cfg = pool.base();
    this.appHealth = new AppHealth(cfg.appProbe(), cfg.appProbeIntervalMillis());
    this.heapWatch = new HeapWatch(
        this::stateBytes,
        this::stateKeys,
        members::size,
        Runtime.getRuntime().maxMemory(),
        counters);
    this.target = new PoolTarget(members, this, appHealth, counters);
    for (Map.Entry<String, InetSocketAddress> u : pool.units().entrySet())
      join(u.getKey(), u.getValue());
    this.health = new HealthServer(cfg, this);
    this.localApi = new LocalApiServer(cfg, target, counters, appHealth);
    ticker.scheduleWithFixedDelay(heapWatch::check, 0, 5, TimeUnit.SECONDS);
    if (controls instanceof KubernetesPool k) {
      try {
        k.start(this, ticker); // units join as the pod's assignments name them
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
    Logs.info("ou-sidecar up as a shared standby (pooled): units "
        + (controls instanceof KubernetesPool
            ? (members.isEmpty() ? "none" : String.join(", ", members.keySet())) + " (as pod "
                + cfg.podName() + " says), later ones on ports of " + pool.firstPort() + "-"
                + pool.lastPort()
            : PoolConfig.describe(pool.units()))
        + ", local API " + cfg.localApi() + ", health " + cfg.health() + ", data " + cfg.dataDir()
        + "/<unit>, peer keys " + pool.peerKeyDir() + "/<unit>, control " + cfg.control());
  }

  private void join(String unit, InetSocketAddress replication) throws Exception {
    Config unitCfg = pool.unitConfig(unit, replication);
    UnitMember m = new UnitMember(
        unitCfg, new Counters(), controls.control(unit, unitCfg), appHealth, heapWatch, ticker);
    members.put(unit, m);
    target.joined(unit, m);
    m.startTicking();
    Logs.info("unit " + unit + " joined the pool: replication " + unitCfg.advertisedEndpoint()
        + ", data " + unitCfg.dataDir());
  }

  /** POOL_ADD: {@code unit} joins, unassigned until its ASSIGN; its stream starts when its primary dials it. */
  synchronized Answer addUnit(String unit, String replicationAddress) {
    if (controls instanceof KubernetesPool) return Answer.of(FORBIDDEN, OPERATOR_DECIDES);
    return admitUnit(unit, replicationAddress);
  }

  private static final String OPERATOR_DECIDES =
      "under OU_CONTROL=kubernetes the operator decides which units this pod holds (its"
          + " assignment.ou.availability.dev/<unit> annotations), not POOL_ADD or POOL_REMOVE";

  /** Under Kubernetes: {@code unit} joins on the lowest free port of OU_POOL_PORTS; its assignment follows. */
  synchronized Answer joinUnit(String unit) {
    if (closed) return Answer.of(INTERNAL, "the sidecar is shutting down");
    try {
      InetSocketAddress a = pool.freeAddress(
          members.values().stream().map(m -> m.config().replication().getPort()).toList());
      return admitUnit(unit, a.getHostString() + ":" + a.getPort());
    } catch (IllegalStateException e) {
      return Answer.of(INTERNAL, e.getMessage());
    }
  }

  /** The units held now. */
  java.util.Set<String> units() {
    return java.util.Set.copyOf(members.keySet());
  }

  private Answer admitUnit(String unit, String replicationAddress) {
    try {
      PoolConfig.checkedUnit(unit);
      if (members.containsKey(unit))
        return Answer.of(BAD_REQUEST, "unit " + unit + " is in the pool already");
      Path key = pool.peerKeyDir().resolve(unit);
      if (!Files.isReadable(key))
        return Answer.of(
            BAD_REQUEST,
            "no peer key for unit " + unit + " at " + key
                + ": write the unit's key there (OU_PEER_KEY_DIR/<unit>) first");
      join(unit, Config.address(replicationAddress));
      return Answer.OK;
    } catch (IllegalArgumentException e) {
      return Answer.of(BAD_REQUEST, e.getMessage());
    } catch (Exception e) {
      Logs.error("unit " + unit + " could not join the pool", e);
      return Answer.of(INTERNAL, "unit " + unit + " could not join the pool: " + e);
    }
  }

  /** POOL_REMOVE: {@code unit} leaves: its listener and stream stop and its data is deleted. Not the one served. */
  synchronized Answer removeUnit(String unit) {
    if (controls instanceof KubernetesPool) return Answer.of(FORBIDDEN, OPERATOR_DECIDES);
    return dropUnit(unit);
  }

  /** {@code unit} leaves (POOL_REMOVE, or its assignment removed from the pod): not while primary here. */
  synchronized Answer dropUnit(String unit) {
    UnitMember m = members.get(unit);
    if (m == null) return Answer.of(BAD_REQUEST, "no unit " + unit + " in this pool");
    if (m.replica().role() == Role.Primary)
      return Answer.of(
          FORBIDDEN,
          "unit " + unit
              + " is primary here: the application serves it; it cannot leave the pool (and lose its"
              + " data) until it is a standby or fenced");
    members.remove(unit);
    m.close();
    target.left(unit);
    try {
      deleteTree(m.config().dataDir());
    } catch (IOException e) {
      Logs.error("unit " + unit + " left the pool but its data could not all be deleted", e);
      return Answer.of(
          INTERNAL,
          "unit " + unit + " left the pool but deleting " + m.config().dataDir() + " failed (" + e
              + "): delete it by hand");
    }
    Logs.info("unit " + unit + " left the pool; its data " + m.config().dataDir() + " is deleted");
    return Answer.OK;
  }

  /**
   * Deletes a unit's data directory. A few tries: a thread of the closed member (a snapshot being installed) may
   * still be finishing a file in it.
   */
  private static void deleteTree(Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        if (!Files.exists(dir)) return;
        if (attempt == 3)
          throw new IOException(dir + " still holds files written after it was emptied");
      } catch (java.nio.file.NoSuchFileException gone) {
        if (!Files.exists(dir)) return;
        if (attempt == 3) throw gone;
      } catch (IOException e) {
        if (attempt == 3) throw e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while deleting " + dir, e);
      }
    }
  }

  /** ASSIGN for one unit; a second unit as primary is refused ({@link PoolPromotion}). */
  synchronized Answer assign(String unit, Role role, long epoch, String peer, Mode mode) {
    if (unit == null)
      return Answer.of(
          BAD_REQUEST,
          "this sidecar is pooled: ASSIGN must name the unit (one of "
              + String.join(", ", members.keySet()) + ")");
    UnitMember m = members.get(unit);
    if (m == null) return Answer.of(BAD_REQUEST, "no unit " + unit + " in this pool");
    String refusal = admit(unit, role, false, () -> {});
    if (refusal != null) {
      Logs.warn("refused promotion of unit " + unit + " at epoch " + epoch + ": " + refusal);
      return Answer.of(FORBIDDEN, refusal);
    }
    if (!(m.control() instanceof StandaloneControl s))
      return Answer.of(FORBIDDEN, "ASSIGN is only accepted with OU_CONTROL=standalone");
    return s.answerAssign(role, epoch, peer, null, mode);
  }

  /**
   * Under Kubernetes, a unit's assignment: runs {@code apply} unless the pool refuses it (then says why);
   * {@code again}: refused before, not counted twice.
   */
  synchronized String admit(String unit, Role role, boolean again, Runnable apply) {
    Map<String, Role> roles = new LinkedHashMap<>();
    members.forEach((u, x) -> roles.put(u, x.replica().role()));
    String refusal = PoolPromotion.refusal(unit, role, roles);
    if (refusal == null) apply.run();
    else if (!again) counters.inc("poolPromotionsRefused");
    return refusal;
  }

  private long stateBytes() {
    return members.values().stream().mapToLong(UnitMember::stateBytes).sum();
  }

  private long stateKeys() {
    return members.values().stream().mapToLong(UnitMember::stateKeys).sum();
  }

  // ---- the HTTP endpoint
  // -------------------------------------------------------------------------

  @Override
  public boolean live() {
    return members.values().stream().allMatch(UnitMember::live);
  }

  @Override
  public boolean knows(String unit) {
    return unit == null || members.containsKey(unit);
  }

  /**
   * One unit: its member's readiness. The pod: the unit it serves, when it serves one (that unit's Service must
   * not lose it while another unit catches up); else every unit an in-sync standby.
   */
  @Override
  public String notReady(String unit) {
    if (unit != null) return members.get(unit).notReadyBecause();
    LocalApiTarget.Served s = target.served();
    if (s.unit() != null) {
      String why = members.get(s.unit()).notReadyBecause();
      return why.isEmpty() ? "" : s.unit() + ": " + why;
    }
    if (members.isEmpty()) return "no unit in the pool";
    StringBuilder sb = new StringBuilder();
    members.forEach((u, m) -> {
      String why = m.notReadyBecause();
      if (!why.isEmpty())
        sb.append(sb.isEmpty() ? "" : "; ").append(u).append(": ").append(why);
    });
    return sb.toString();
  }

  /** One line per unit (or the one asked for): role, epoch, in sync, lag, state bytes. */
  @Override
  public String readinessDetail(String unit) {
    StringBuilder sb = new StringBuilder();
    members.forEach((u, m) -> {
      if (unit != null && !unit.equals(u)) return;
      Replica r = m.replica();
      Long lag = r.lag();
      sb.append(u)
          .append(": ")
          .append(r.role() == null ? "unassigned" : r.role())
          .append(" at epoch ")
          .append(r.epoch())
          .append(r.role() == Role.Primary ? (r.serving() ? ", serving" : ", not serving") : "")
          .append(
              r.role() == Role.Standby
                  ? (r.standbyProgress().inSync() ? ", in sync" : ", not in sync")
                  : "")
          .append(", lag ")
          .append(lag == null ? "unknown" : lag)
          .append(", ")
          .append(m.stateBytes())
          .append(" state bytes\n");
    });
    return sb.toString();
  }

  /** The pool's status with each unit's under {@code unit.<name>.}; or one unit's, shaped as a sidecar's. */
  @Override
  public Map<String, String> status(String unit) {
    Map<String, String> m = new LinkedHashMap<>();
    if (unit != null) {
      m.put("unit", unit);
      m.putAll(members.get(unit).status());
    } else {
      LocalApiTarget.Served s = target.served();
      m.put("pooled", "true");
      m.put("unit", s.unit() == null ? "" : s.unit());
      m.put("poolUnits", String.join(",", members.keySet()));
      m.put("control", pool.base().control());
      counters.snapshot().forEach((k, v) -> m.put("counter." + k, Long.toString(v)));
      members.forEach((u, x) -> x.status().forEach((k, v) -> m.put("unit." + u + "." + k, v)));
    }
    Boolean app = appHealth.healthy();
    m.put("appHealthy", app == null ? null : app.toString());
    m.put("stateBytesAllUnits", Long.toString(stateBytes()));
    m.put("heapNeededBytes", Long.toString(heapWatch.neededBytes()));
    m.put("heapMaxBytes", Long.toString(heapWatch.heapBytes()));
    m.put("heapTooSmall", Boolean.toString(heapWatch.tooSmall()));
    return m;
  }

  /** Each unit's metrics labelled {@code unit="<name>"} (grouped by name), then the pool's. */
  @Override
  public Map<String, Long> metrics() {
    Map<String, Map<String, Long>> byName = new LinkedHashMap<>();
    members.forEach((u, x) -> x.metrics()
        .forEach((k, v) -> byName
            .computeIfAbsent(k, n -> new LinkedHashMap<>())
            .put(k + "{unit=\"" + u + "\"}", v)));
    Map<String, Long> m = new LinkedHashMap<>();
    byName.values().forEach(m::putAll);
    counters.snapshot().forEach(m::put);
    m.put("pool_units", (long) members.size());
    m.put("heap_needed_bytes", heapWatch.neededBytes());
    m.put("heap_max_bytes", heapWatch.heapBytes());
    return m;
  }

  @Override
  public synchronized void close() {
    closed = true;
    ticker.shutdownNow();
    if (controls instanceof KubernetesPool k)
      closeQuietly(k); // no unit joins or leaves from here on
    for (AutoCloseable c : new AutoCloseable[] {localApi, health}) closeQuietly(c);
    members.values().forEach(PooledSidecar::closeQuietly);
    closeQuietly(appHealth);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      Logs.error("closing " + c.getClass().getSimpleName(), e);
    }
  }
}
