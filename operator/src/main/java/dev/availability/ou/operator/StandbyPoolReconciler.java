package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.SharedStandbyStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbyPoolStatus;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.pool.PoolAction;
import dev.availability.ou.failover.pool.PoolNodes;
import dev.availability.ou.failover.pool.PoolPlanner;
import dev.availability.ou.failover.pool.PoolView;
import dev.availability.ou.failover.pool.SharedPod;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reconciles a StandbyPool (docs/pools.md): sorts the units naming it (held, beyond capacity, refused), keeps the
 * pool's access (ServiceAccount, Role for every held unit's Lease), executes {@link PoolPlanner}'s actions (the
 * shared standby pod made, units added and removed, failed or surplus pods deleted) and writes the pool's status.
 * Each unit's own reconciler refuses, pools or keeps a dedicated standby for its unit ({@link UnitPools}).
 */
@ControllerConfiguration(name = "standbypool", fieldManager = Naming.FIELD_MANAGER)
public class StandbyPoolReconciler implements Reconciler<StandbyPool> {
  private final KubernetesClient client;
  private final OperatorConfig config;
  private final EventRecorder events;
  private final Clock clock = Clock.systemUTC();
  private final PoolAccess access;
  private final PoolMetrics metrics;
  private final PoolNodeWatch nodes = new PoolNodeWatch();
  private volatile InformerEventSource<OperationalUnit, StandbyPool> units;
  private volatile InformerEventSource<Pod, StandbyPool> pods;
  private volatile PoolActionExecutor executor;

  public StandbyPoolReconciler(
      KubernetesClient client, OperatorConfig config, EventRecorder events, PoolMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
    this.config = config;
    this.events = events;
    this.access = new PoolAccess(client);
  }

  @Override
  public List<EventSource<?, StandbyPool>> prepareEventSources(
      EventSourceContext<StandbyPool> context) {
    units = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(OperationalUnit.class, StandbyPool.class)
            .withName("pool-units")
            .withSecondaryToPrimaryMapper(u -> PoolViews.poolOf(u)
                .map(p -> Set.of(new ResourceID(p, u.getMetadata().getNamespace())))
                .orElse(Set.of()))
            .build(),
        context);
    pods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, StandbyPool.class)
            .withName("pool-pods")
            .withLabelSelector(ContractKeys.POOL_LABEL)
            .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(
                p.getMetadata().getLabels().get(ContractKeys.POOL_LABEL),
                p.getMetadata().getNamespace())))
            .build(),
        context);
    executor = new PoolActionExecutor(
        client, pods, new SharedPodBuilder(new MemberPodBuilder(config.sidecar())), events);
    List<EventSource<?, StandbyPool>> sources = new ArrayList<>(List.of(units, pods));
    sources.addAll(nodes.eventSources(context, () -> pods));
    return sources;
  }

  @Override
  public UpdateControl<StandbyPool> reconcile(StandbyPool pool, Context<StandbyPool> context) {
    if (context.isPrimaryResourceDeleted()) {
      access.forget(pool);
      metrics.forget(pool.getMetadata().getNamespace(), pool.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    String ns = pool.getMetadata().getNamespace();
    String name = pool.getMetadata().getName();
    List<OperationalUnit> naming = PoolViews.naming(pool, units.list(ns).toList());
    PoolViews.Membership membership = PoolViews.membership(pool, naming);
    List<Pod> podsOfPool = pods.list(
            ns, p -> name.equals(p.getMetadata().getLabels().get(ContractKeys.POOL_LABEL)))
        .toList();
    List<String> compatible = new ArrayList<>(membership.held());
    compatible.addAll(membership.overflow());
    Instant now = clock.instant();
    Map<String, NodeView> nodeViews = nodes.views(podsOfPool, now);
    PoolView view = new PoolView(
        name,
        pool.getSpec().maxUnits(),
        compatible,
        podsOfPool.stream()
            .map(p -> PoolNodes.judge(PoolPods.sharedPod(p, membership.held()), nodeViews, now))
            .toList());
    access.ensure(pool, view.admitted());
    String unplaceable = null;
    if (!naming.isEmpty()) {
      Map<String, String> primaryNodes = view.standby().isEmpty() ? primaryNodes(naming) : Map.of();
      Set<String> placeable = view.standby().isEmpty() ? nodes.placeable(now) : null;
      for (PoolAction action : PoolPlanner.plan(view, primaryNodes, placeable, standbys(naming))) {
        if (action instanceof PoolAction.StandbyUnplaceable u) unplaceable = u.why();
        executor.execute(pool, naming.get(0), action);
      }
    }
    writeStatus(pool, context, membership, view, podsOfPool, unplaceable, now);
    // A lease expiring makes no event: look again then (plus a little, as expired is strictly
    // after).
    long resync = config.resync().toMillis();
    long untilStale = PoolNodes.nextLeaseExpiry(nodeViews.values(), now)
        .map(t -> java.time.Duration.between(now, t).toMillis() + 50)
        .orElse(resync);
    return UpdateControl.<StandbyPool>noUpdate()
        .rescheduleAfter(Math.max(50, Math.min(resync, untilStale)));
  }

  /** Each unit's primary's node, as its status names it: the shared pod is made off them. */
  private static Map<String, String> primaryNodes(List<OperationalUnit> naming) {
    return byUnit(naming, s -> s.getPrimary() == null ? null : s.getPrimary().getNode());
  }

  /** The pod each unit's status names as its standby: a kept unit leaves the old pod once it names the new one. */
  private static Map<String, String> standbys(List<OperationalUnit> naming) {
    return byUnit(naming, s -> s.getStandby() == null ? null : s.getStandby().getPod());
  }

  /** What {@code read} finds in each unit's status, by unit; a unit where it finds nothing is left out. */
  private static Map<String, String> byUnit(
      List<OperationalUnit> naming, Function<OperationalUnitStatus, String> read) {
    Map<String, String> found = new HashMap<>();
    for (OperationalUnit u : naming) {
      String value = u.getStatus() == null ? null : read.apply(u.getStatus());
      if (value != null) found.put(u.getMetadata().getName(), value);
    }
    return found;
  }

  private void writeStatus(
      StandbyPool pool,
      Context<StandbyPool> context,
      PoolViews.Membership membership,
      PoolView view,
      List<Pod> podsOfPool,
      String unplaceable,
      Instant now) {
    Optional<SharedPod> standby = view.standby();
    Optional<Pod> standbyPod = standby.flatMap(s -> podsOfPool.stream()
        .filter(p -> p.getMetadata().getName().equals(s.name()))
        .findFirst());
    Map<String, PoolViews.Replica> replicas = new HashMap<>();
    Long bytesHeld = null;
    for (String u : standbyPod.isPresent() ? membership.held() : List.<String>of()) {
      var report = PoolPods.report(standbyPod.get(), u);
      if (report.isEmpty()) continue;
      var r = report.get();
      replicas.put(u, new PoolViews.Replica(Boolean.TRUE.equals(r.inSync()), r.lag()));
      if (r.stateBytes() != null) bytesHeld = (bytesHeld == null ? 0 : bytesHeld) + r.stateBytes();
    }
    StandbyPoolStatus before = pool.getStatus();
    List<Condition> previous = before == null ? List.of() : before.getConditions();
    StandbyPoolStatus status = PoolViews.status(
        pool,
        membership,
        replicas,
        standby.map(s -> new SharedStandbyStatus(s.name(), s.node())).orElse(null),
        unplaceable,
        previous,
        now);
    Set<String> claims = new java.util.HashSet<>();
    for (SharedPod p : view.pods()) p.claimedBy().ifPresent(u -> claims.add(p.name() + "/" + u));
    metrics.observe(
        pool.getMetadata().getNamespace(),
        pool.getMetadata().getName(),
        new PoolMetrics.Reading(
            status.getUnits(), status.getInSync(), status.getCapacity(), bytesHeld, claims));
    if (Objects.equals(Serialization.asJson(status), Serialization.asJson(before))) return;
    announceRestored(pool, previous, status, standby);
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(pool, context, p -> {
      p.setStatus(status);
      return p;
    });
  }

  /** PoolRestored once a replacement shared standby (not the pool's first) holds every member in sync. */
  private void announceRestored(
      StandbyPool pool,
      List<Condition> previous,
      StandbyPoolStatus now,
      Optional<SharedPod> standby) {
    boolean wasReady = previous.stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    boolean ready = now.getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    if (ready && !wasReady && standby.map(s -> s.ordinal() > 0).orElse(false))
      events.record(
          pool,
          PoolEventReason.PoolRestored,
          "the pool is whole again: " + standby.get().name() + " holds all " + now.getUnits()
              + " member(s) in sync",
          false);
  }
}
