package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.QuarantinedStimulusStatus;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.Action;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.Decision;
import dev.availability.ou.failover.DependencyCycles;
import dev.availability.ou.failover.DependencyWatch;
import dev.availability.ou.failover.DependencyWatch.Verdict;
import dev.availability.ou.failover.EventReason;
import dev.availability.ou.failover.FailoverDecider;
import dev.availability.ou.failover.MemberSettings;
import dev.availability.ou.failover.Observation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles an OperationalUnit, reading like a table of contents: check the spec, make the supporting
 * objects, observe, decide (pure), persist the intent when there is one, act, write the status.
 *
 * <p>No finalizer: everything a unit makes is owned by it and garbage-collected, so deleting a unit never waits for an
 * operator. The delete event still reaches {@link #reconcile} (triggerReconcilerOnAllEvents), which drops what the
 * operator holds in memory for the unit.
 */
// Not generation-aware: the request annotations (switchover-to, drill, ...) change no generation;
// the filter lets their changes through, and a new generation as before.
@ControllerConfiguration(
    name = "operationalunit",
    fieldManager = Naming.FIELD_MANAGER,
    triggerReconcilerOnAllEvents = true,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = RequestAnnotationsChanged.class))
public class OperationalUnitReconciler implements Reconciler<OperationalUnit> {
  private static final Logger LOG = Logger.getLogger(OperationalUnitReconciler.class);

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final EventRecorder events;
  private final UnitMetrics metrics;
  private final FailoverDecider decider = new FailoverDecider();
  private final Clock clock = Clock.systemUTC();
  private final LeaseRenewalsSeen renewals = new LeaseRenewalsSeen(clock);
  private final ObservationBuilder observations = new ObservationBuilder(renewals);
  private final SupportingObjects supporting;
  private final PrimaryDisruptionBudget budget;
  private volatile UnitCaches caches;
  private volatile ActionExecutor executor;
  private volatile MemberClaims claims;
  private volatile UnitDependencies dependencies;
  private volatile UnitPools pools;

  public OperationalUnitReconciler(
      KubernetesClient client, OperatorConfig config, EventRecorder events, UnitMetrics metrics) {
    this.client = client;
    this.config = config;
    this.events = events;
    this.metrics = metrics;
    this.supporting = new SupportingObjects(client, config.networkPolicy(), events);
    this.budget = new PrimaryDisruptionBudget();
  }

  @Override
  public List<EventSource<?, OperationalUnit>> prepareEventSources(
      EventSourceContext<OperationalUnit> context) {
    caches = UnitInformers.create(context, renewals);
    claims = new MemberClaims(client, caches.claims(), config.memberClaimGrace());
    executor =
        new ActionExecutor(client, caches, new MemberPodBuilder(config.sidecar()), events, claims);
    List<EventSource<?, OperationalUnit>> sources = new java.util.ArrayList<>(List.of(
        caches.pods(),
        caches.services(),
        caches.endpointSlices(),
        caches.unitLeases(),
        caches.nodes(),
        caches.nodeLeases(),
        caches.claims()));
    sources.add(new NodeSilenceEvents(
        caches.nodeLeases(), renewals, node -> UnitInformers.unitsOn(caches.pods(), node), clock));
    sources.addAll(supporting.eventSources(context));
    sources.add(budget.eventSource(context));
    dependencies = UnitDependencies.create(context);
    sources.add(dependencies.eventSource());
    pools = UnitPools.create(client, context);
    sources.addAll(pools.eventSources());
    return sources;
  }

  @Override
  public UpdateControl<OperationalUnit> reconcile(
      OperationalUnit unit, Context<OperationalUnit> context) {
    if (context.isPrimaryResourceDeleted()) return forget(unit);
    try {
      if (FormerFinalizer.carriedBy(unit)) unit = FormerFinalizer.removeFrom(client, unit);
      // Held by someone else's finalizer (or foreground deletion): act on nothing while it goes.
      if (unit == null || unit.isMarkedForDeletion()) return UpdateControl.noUpdate();
      return reconcileAt(unit, context, clock.instant());
    } catch (RuntimeException e) {
      if (!NamespaceTerminating.causedBy(e)) throw e;
      // Its namespace is being deleted, and the unit with it: nothing to retry, nothing to warn
      // about.
      LOG.debugf(
          "%s/%s: namespace is terminating, the unit ends with it (%s)",
          unit.getMetadata().getNamespace(), unit.getMetadata().getName(), e.getMessage());
      return UpdateControl.noUpdate();
    }
  }

  private UpdateControl<OperationalUnit> reconcileAt(
      OperationalUnit unit, Context<OperationalUnit> context, Instant now) {
    ReconcileTrace trace = new ReconcileTrace(LOG.isDebugEnabled());
    List<String> problems = new java.util.ArrayList<>(SpecChecks.problems(unit.getSpec()));
    dependencies.cycle(unit).map(DependencyCycles::problem).ifPresent(problems::add);
    UnitPools.Place place = pools.place(
        unit, context.getPrimaryCache().list(unit.getMetadata().getNamespace()).toList(), now);
    if (place.refusal() != null) problems.add(place.refusal());
    if (!problems.isEmpty())
      return refused(unit, context, Refusal.InvalidSpec, String.join("; ", problems), now);
    // A paused unit is only observed and reported on: nothing is made for it, nothing removed
    // (Pause in the core).
    boolean paused = ObservationBuilder.requests(unit).isPaused();
    // While a failover is under way its steps go first: the supporting objects exist by then, and
    // checking them (server-side-apply matching) costs tens of ms on a busy machine.
    boolean ensureLast = unit.getStatus() != null && unit.getStatus().getFailover() != null;
    try {
      if (!paused && !ensureLast) supporting.ensure(unit, context);
      trace.step("ensure");
    } catch (NameConflictException e) {
      return refused(unit, context, Refusal.NameConflict, e.getMessage(), now);
    }
    List<String> foreignMembers = NameConflicts.amongMembers(
        unit,
        pod -> caches
            .pods()
            .get(new ResourceID(pod, unit.getMetadata().getNamespace()))
            .orElse(null));
    if (!foreignMembers.isEmpty())
      return refused(
          unit, context, Refusal.NameConflict, NameConflicts.message(foreignMembers), now);
    Readings readings = new Readings();
    var seen = dependencies.observe(unit, caches.unitLeases(), renewals, now);
    List<Verdict> verdicts = dependencies.assess(unit, seen, now);
    // The members are told through their assignment: it travels with the settings the policy makes.
    Observation observation =
        pools.observe(observe(unit, readings, now), place, unit, observations, readings);
    observation = observation.withPolicy(
        observation.policy().withUnavailableDependencies(DependencyWatch.unavailable(verdicts)));
    Decision decision = decider.decide(observation);
    trace.step("observe+decide");
    // Read before any write: the status update below changes the cached unit in place.
    Long recordedEpoch = lastFailoverEpoch(unit);
    OperationalUnit current = unit;
    try {
      if (decision.persistStateFirst()) {
        current =
            writeStatus(current, context, decision, observation, readings, verdicts, place, now);
        trace.step("intent");
      }
      MemberSettings settings = MemberSettings.of(observation.policy(), decision.state());
      for (List<Action> batch : ActionBatches.of(decision.actions())) {
        List<Action> own = new java.util.ArrayList<>();
        for (Action action : batch) if (!pools.executes(current, action, settings)) own.add(action);
        if (!own.isEmpty())
          executor.executeAll(current, own, observation.policy(), settings, observation.pooled());
        if (trace.on())
          trace.step(batch.get(0).getClass().getSimpleName()
              + (batch.size() > 1 ? "x" + batch.size() : ""));
      }
      budget.follow(
          current,
          context,
          decision
              .state()
              .primary()); // drains may evict anything but the primary (after a switch, the new
      // one)
      if (!paused && ensureLast) {
        supporting.ensure(current, context);
        trace.step("ensure");
      }
    } catch (InvalidSpecException e) {
      return refused(current, context, Refusal.InvalidSpec, e.getMessage(), now);
    } catch (NameConflictException e) {
      return refused(current, context, Refusal.NameConflict, e.getMessage(), now);
    }
    if (!decision.persistStateFirst()) {
      current =
          writeStatus(current, context, decision, observation, readings, verdicts, place, now);
      trace.step("status");
    }
    countFailover(recordedEpoch, current);
    // After the status is written: it names every member the decision keeps, new ones included.
    if (!paused) claims.removeUnused(current, podNames(current), now);
    LOG.debugf(
        "%s/%s reconciled (%s) in %s",
        unit.getMetadata().getNamespace(), unit.getMetadata().getName(), decision.phase(), trace);
    Duration next = UnitDependencies.min(
        decision.recheckAfter() == null
            ? config.resync()
            : min(decision.recheckAfter(), config.resync()),
        DependencyWatch.recheckAfter(verdicts, seen, now));
    return UpdateControl.<OperationalUnit>noUpdate().rescheduleAfter(Math.max(1, next.toMillis()));
  }

  private Observation observe(OperationalUnit unit, Readings readings, Instant now) {
    String ns = unit.getMetadata().getNamespace();
    String name = unit.getMetadata().getName();
    // Only pods the unit created are its members: a pod that merely carries its label is never
    // adopted.
    Collection<Pod> pods = caches
        .pods()
        .list(
            ns,
            p -> name.equals(p.getMetadata().getLabels().get(ContractKeys.UNIT_LABEL))
                && NameConflicts.ownedBy(p, unit.getMetadata().getUid()))
        .toList();
    Collection<Node> nodes = caches.nodes().list(n -> true).toList();
    Map<String, Lease> nodeLeases = caches
        .nodeLeases()
        .list(l -> true)
        .collect(Collectors.toMap(l -> l.getMetadata().getName(), l -> l, (a, b) -> a));
    Lease lease = caches
        .unitLeases()
        .get(new ResourceID(ContractKeys.primaryLeaseName(name), ns))
        .orElse(null);
    Service service = caches.services().get(new ResourceID(name, ns)).orElse(null);
    Collection<EndpointSlice> slices = caches
        .endpointSlices()
        .list(
            ns,
            s -> name.equals(Optional.ofNullable(s.getMetadata().getLabels())
                .map(l -> l.get("kubernetes.io/service-name"))
                .orElse(null)))
        .toList();
    return observations.build(unit, pods, nodes, nodeLeases, lease, service, slices, now, readings);
  }

  /** Every pod of the namespace the caches hold (any unit's): a claim of that name may be in use. */
  private Set<String> podNames(OperationalUnit unit) {
    return caches
        .pods()
        .list(unit.getMetadata().getNamespace())
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private OperationalUnit writeStatus(
      OperationalUnit unit,
      Context<OperationalUnit> context,
      Decision d,
      Observation o,
      Readings readings,
      List<Verdict> verdicts,
      UnitPools.Place place,
      Instant now) {
    OperationalUnitStatus status = StatusMapper.toStatus(unit, d, o, readings.malformed(), now);
    UnitPools.writeCondition(status, place);
    DependencyStatuses.write(status, verdicts, unit.getMetadata().getGeneration(), now);
    metrics.dependencies(unit, DependencyWatch.unavailable(verdicts).size());
    for (Action.Emit e :
        DependencyWatch.events(verdicts, DependencyStatuses.previous(unit.getStatus())))
      events.record(unit, e.reason(), e.message(), e.warning());
    metrics.observe(unit, status.getPhase(), now);
    metrics.quarantine(unit, quarantinedIds(unit.getStatus()), quarantinedIds(status));
    warnOnMalformedValues(unit, status);
    if (Objects.equals(asJson(status), asJson(unit.getStatus()))) return unit;
    return PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(unit, context, u -> {
      u.setStatus(status);
      return u;
    });
  }

  /** A Warning event whenever the values the operator could not read change (the condition carries them after). */
  private void warnOnMalformedValues(OperationalUnit unit, OperationalUnitStatus status) {
    Optional<io.fabric8.kubernetes.api.model.Condition> now = StatusMapper.condition(
            status, ConditionType.MalformedValues)
        .filter(c -> "True".equals(c.getStatus()));
    Optional<String> before = StatusMapper.condition(
            unit.getStatus(), ConditionType.MalformedValues)
        .filter(c -> "True".equals(c.getStatus()))
        .map(io.fabric8.kubernetes.api.model.Condition::getMessage);
    if (now.isPresent() && !before.equals(Optional.of(now.get().getMessage()))) {
      events.record(unit, EventReason.MalformedValue, now.get().getMessage(), true);
    }
  }

  /** The unit cannot go on as it is (InvalidSpec, NameConflict): say why in its status and a Warning event, act on nothing. */
  private UpdateControl<OperationalUnit> refused(
      OperationalUnit unit,
      Context<OperationalUnit> context,
      Refusal reason,
      String message,
      Instant now) {
    OperationalUnitStatus status = StatusMapper.refused(unit, reason.condition, message, now);
    if (!Objects.equals(asJson(status), asJson(unit.getStatus()))) {
      events.record(unit, reason.event, message, true);
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(unit, context, u -> {
        u.setStatus(status);
        return u;
      });
    }
    return UpdateControl.<OperationalUnit>noUpdate()
        .rescheduleAfter(config.resync().toMillis());
  }

  /**
   * A failed reconcile (after {@link #reconcile} threw): what cannot be cured by retrying, or has outlasted the retries,
   * becomes condition Degraded with reason ApiRequestFailed and a Warning event ({@link ApiErrors}); JOSDK retries.
   */
  @Override
  public ErrorStatusUpdateControl<OperationalUnit> updateErrorStatus(
      OperationalUnit unit, Context<OperationalUnit> context, Exception e) {
    boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
    Optional<String> message = ApiErrors.describe(e, lastAttempt);
    if (message.isEmpty()) return ErrorStatusUpdateControl.defaultErrorProcessing();
    OperationalUnitStatus status = StatusMapper.refused(
        unit, Refusal.ApiRequestFailed.condition, message.get(), clock.instant());
    if (Objects.equals(asJson(status), asJson(unit.getStatus())))
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    events.record(unit, Refusal.ApiRequestFailed.event, message.get(), true);
    OperationalUnit patched =
        io.fabric8.kubernetes.client.utils.Serialization.clone(unit); // never the informer's copy
    patched.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(patched);
  }

  private static List<String> quarantinedIds(OperationalUnitStatus s) {
    return s == null || s.getQuarantinedStimuli() == null
        ? List.of()
        : s.getQuarantinedStimuli().stream()
            .map(QuarantinedStimulusStatus::getId)
            .toList();
  }

  private static Long lastFailoverEpoch(OperationalUnit unit) {
    OperationalUnitStatus s = unit.getStatus();
    return s == null || s.getLastFailover() == null ? null : s.getLastFailover().getEpoch();
  }

  private void countFailover(Long recordedEpoch, OperationalUnit after) {
    OperationalUnitStatus a = after.getStatus();
    if (a == null || a.getLastFailover() == null) return;
    if (!Objects.equals(recordedEpoch, a.getLastFailover().getEpoch())) {
      metrics.promoted(after, a.getLastFailover().getKind(), a.getLastFailover().getReason());
    }
    metrics.lastFailover(after, a.getLastFailover());
  }

  /** The unit is gone (everything it made carries its owner reference: the garbage collector removes it). */
  private UpdateControl<OperationalUnit> forget(OperationalUnit unit) {
    metrics.forget(unit);
    supporting.forget(unit);
    return UpdateControl.noUpdate();
  }

  private static String asJson(Object o) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(o);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
