package dev.availability.ou.drill;

import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.DataDurability;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.e2e.client.LoadClient;
import dev.availability.ou.e2e.client.LoadSettings;
import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One drill: a sample unit in a namespace of its own on the drill cluster, Protected, under the load of a
 * client writing through the Service's loopback address; then a fault, recovery, and the client's own
 * figures (acknowledged, lost, outage, split brain).
 */
public final class Drill implements AutoCloseable {
  public static final String UNIT = "kvstore";
  // The e2e suite's budget: T_recovery 5 s, a 2 s primary lease renewed every 667 ms. The samples'
  // 4 s budget (an 800 ms lease renewed every 267 ms) is more than two loaded cores running the
  // control plane, the operator and four JVMs sustain through the pods' API forwarder: renewals
  // fall behind, the primary stops serving, and its readiness with it (seen: a failover loop at
  // bootstrap).
  public static final String BUDGET = "10s";
  public final DrillCluster cluster;
  public final String namespace;
  public final Units units;
  public final ReplicationMode mode;
  private DataDurability durability = DataDurability.Required;
  private Duration patience = Duration.ofSeconds(120);
  String faultedNode; // the node a node fault took, until it is healed
  private LoadClient load;
  private LoadClient lastLoad;
  private int failoversBefore;
  private Instant faultGivenAt; // when suffer() gave the last fault

  /** A Synchronous unit's drill. */
  public Drill(DrillCluster cluster, String name) {
    this(cluster, name, ReplicationMode.Synchronous);
  }

  public Drill(DrillCluster cluster, String name, ReplicationMode mode) {
    this.cluster = cluster;
    this.mode = mode;
    this.namespace = "drill-" + name + "-" + Long.toString(System.nanoTime() % 100000, 36);
    cluster
        .client
        .namespaces()
        .resource(new NamespaceBuilder()
            .withNewMetadata()
            .withName(namespace)
            .endMetadata()
            .build())
        .create();
    this.units = new Units(cluster.client, namespace);
  }

  /** What the unit's primary does while it has no standby (before {@link #createProtected}); Required by default. */
  public Drill durability(DataDurability d) {
    this.durability = d;
    return this;
  }

  /** How long the unit may take to be Protected again (a benchmark on a loaded machine waits longer than a test). */
  public Drill patience(Duration d) {
    this.patience = d;
    return this;
  }

  public DataDurability durability() {
    return durability;
  }

  /** The sample unit (the README's), Protected with both members Ready. */
  public void createProtected() {
    createProtected(u -> {});
  }

  /** The sample unit as {@code shape} changes it (placement, storage), Protected with both members Ready. */
  public void createProtected(java.util.function.Consumer<OperationalUnit> shape) {
    OperationalUnit u = Units.sample(cluster.repo, UNIT, BUDGET);
    u.getSpec().getReplication().setMode(mode);
    u.getSpec().getReplication().setDataDurability(durability);
    shape.accept(u);
    units.create(u);
    awaitProtected("created", 0);
    var history = units.get(UNIT).getStatus().getHistory();
    // A new unit should not move; when it did (a slow start on a loaded machine), say so where the
    // drill's log shows it.
    if (history != null && !history.isEmpty())
      Progress.log("unit " + namespace + "/" + UNIT + " moved while it was created: " + history);
  }

  public void awaitProtected(String why, int failovers) {
    awaitProtected(why, () -> units.failovers(UNIT) >= failovers);
  }

  private void awaitProtected(String why, BooleanSupplier failedOver) {
    try {
      await("unit " + namespace + "/" + UNIT + " Protected (" + why + ")")
          .atMost(patience)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> units.phase(UNIT) == UnitPhase.Protected
              && failedOver.getAsBoolean()
              && units.standby(UNIT) != null
              && units.nodeOf(units.standby(UNIT)) != null
              && !units.nodeOf(units.standby(UNIT)).equals(units.nodeOf(units.primary(UNIT)))
              // ready: the pod's application answers (the phase says the standby is in sync, not
              // that the app started)
              && units.readyEndpointPods(UNIT).equals(java.util.Set.of(units.primary(UNIT))));
    } catch (ConditionTimeoutException e) {
      // Say where the unit is: the cluster may be gone by the time someone reads this (seen:
      // "stuck" guessed from events).
      throw new ConditionTimeoutException(e.getMessage() + " The unit: " + describe());
    }
  }

  /** The unit's status in one line: phase, epoch, failovers (and before the load), members, endpoints, conditions. */
  private String describe() {
    OperationalUnit u = units.get(UNIT);
    if (u == null || u.getStatus() == null) return "no status";
    var s = u.getStatus();
    String conditions = s.getConditions() == null
        ? ""
        : s.getConditions().stream()
            .map(c ->
                c.getType() + "=" + c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
            .collect(java.util.stream.Collectors.joining("; "));
    return "phase " + s.getPhase() + ", epoch " + s.getEpoch() + ", failovers " + s.getFailovers()
        + " (" + failoversBefore + " before the load)" + ", primary " + primary() + ", standby "
        + units.standby(UNIT) + ", endpoints " + units.endpointPods(UNIT) + "; " + conditions;
  }

  /**
   * Protected again after the fault, with at least {@code failovers} more failovers than before the load started, or
   * with the failover the fault started aborted since: its target failed too (a second fault; seen in bench/drill when
   * the operator was killed mid-failover and the standby's app container crashed before a new operator ran), and the
   * former primary serves on. An aborted failover counts as none: waiting for one more would wait for ever.
   */
  public void awaitRecovered(String why, int failovers) {
    awaitProtected(
        why,
        () -> units.failovers(UNIT) >= failoversBefore + failovers
            || failoverAbortedSince(faultGivenAt));
  }

  /** The unit's events in the order they were last seen, a line each: what a failed assertion should print. */
  public String story() {
    return unitEvents()
        .sorted(java.util.Comparator.comparing(
            e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()))
        .map(e -> e.getLastTimestamp() + " " + e.getReason() + ": " + e.getMessage())
        .collect(java.util.stream.Collectors.joining("\n  ", "\n  ", ""));
  }

  /** Whether the operator aborted a failover of the unit at or after {@code since} (by its FailoverAborted event). */
  private boolean failoverAbortedSince(Instant since) {
    if (since == null) return false;
    return unitEvents()
        .filter(e -> "FailoverAborted".equals(e.getReason()) && e.getLastTimestamp() != null)
        .anyMatch(e -> !Instant.parse(e.getLastTimestamp()).isBefore(since));
  }

  private java.util.stream.Stream<io.fabric8.kubernetes.api.model.Event> unitEvents() {
    return cluster
        .client
        .v1()
        .events()
        .inNamespace(namespace)
        .withField("involvedObject.name", UNIT)
        .list()
        .getItems()
        .stream();
  }

  public void startLoad() throws Exception {
    startLoad(
        LoadSettings.defaults(cluster.serviceAddress(namespace, UNIT))
            .withWriters(4)
            .withRate(100)
            .withTimeout(Duration.ofMillis(1000)),
        System.err);
  }

  /** Starts a client with {@code settings} (progress to {@code progressTo}, null for none) and waits for its first acknowledgements. */
  public void startLoad(LoadSettings settings, java.io.PrintStream progressTo) {
    failoversBefore = units.failovers(UNIT);
    load = LoadClient.start(settings, progressTo);
    await("the client's first acknowledged writes")
        .atMost(Duration.ofSeconds(30))
        .until(() -> load.attempts().stream().filter(a -> a.acked()).count() >= 20);
  }

  /**
   * Gives {@code fault} to the primary, waits until the unit is Protected again after the failovers the fault
   * should cost, heals what it took, and waits for Protected again.
   *
   * @param hold how long a held fault (the API server down) lasts
   */
  public void suffer(FaultKind fault, DrillOperator operator, Duration hold) throws Exception {
    faultGivenAt = Instant.now();
    try {
      fault.inject(this, operator, hold);
      awaitRecovered("after " + fault.label, fault.failovers);
      if (units.failovers(UNIT) < failoversBefore + fault.failovers) {
        Progress.log("drill " + namespace + ": the failover after " + fault.label
            + " was aborted (its target failed too); Protected again on " + primary()
            + " with no failover");
      }
    } finally {
      fault.undo(this);
    }
    awaitRecovered("after " + fault.label + " was undone", fault.failovers);
  }

  private static String clockTime(Instant t) {
    return java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
        .withZone(java.time.ZoneOffset.UTC)
        .format(t);
  }

  /** The unit's response-time budget T_max, in milliseconds. */
  public long budgetMillis() {
    return Duration.parse("PT" + BUDGET.toUpperCase(java.util.Locale.ROOT)).toMillis();
  }

  /** Stops the client, reads every key back from the current primary, and the client's verdict. */
  public ClientVerdict finish() {
    load.stop();
    // Patience: after the API server was down, the unit's status says Protected a while before its
    // pods are what it says (the node lifecycle controller may still evict them); the read-back
    // waits until a primary answers.
    ClientVerdict v = load.verdict(load.readBack(Duration.ofSeconds(120)));
    lastLoad = load;
    Progress.log("drill " + namespace + ": "
        + dev.availability.ou.e2e.client.VerdictText.json(v, java.util.Map.of()));
    // Which writes: with each member's log on disk, enough to tell what happened to them.
    if (faultGivenAt != null)
      Progress.log("drill " + namespace + ": the fault was given at " + clockTime(faultGivenAt)
          + "; the longest outage began at "
          + clockTime(load.startedAt().plusNanos(v.outageFromNanos())) + " (UTC)");
    if (v.lost() > 0) Progress.log("drill " + namespace + ": lost " + v.lostExamples());
    if (v.splitBrain() > 0)
      Progress.log("drill " + namespace + ": split brain " + v.splitBrainExamples());
    return v;
  }

  /** The load client of the last {@link #finish}, for its records. */
  public LoadClient lastLoad() {
    return lastLoad;
  }

  /** The running load client (null before {@link #startLoad}). */
  public LoadClient load() {
    return load;
  }

  public String primary() {
    return units.primary(UNIT);
  }

  public String primaryNode() {
    return units.nodeOf(primary());
  }

  public static void pause(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  public static void pauseQuietly(Duration d) {
    try {
      pause(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (load != null) load.close();
    cluster.client.namespaces().withName(namespace).delete();
  }
}
