package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.Action;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.MemberSettings;
import dev.availability.ou.failover.Observation;
import dev.availability.ou.failover.pool.PoolSeat;
import dev.availability.ou.failover.pool.PoolView;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A unit's side of its standby pool (docs/pools.md), kept apart from the unit's reconciler: where the unit stands in
 * the pool it names ({@link Place}: refused, held with its {@link PoolSeat}, or beyond capacity), the pool's pods that
 * hold it as its members (read under its own per-unit annotations), its assignment written on them under its own key,
 * and its condition {@code Pooled}.
 */
final class UnitPools {
  static final String CONDITION = "Pooled";

  private final KubernetesClient client;
  private final InformerEventSource<Pod, OperationalUnit> pods;
  private final InformerEventSource<StandbyPool, OperationalUnit> pools;

  private UnitPools(
      KubernetesClient client,
      InformerEventSource<Pod, OperationalUnit> pods,
      InformerEventSource<StandbyPool, OperationalUnit> pools) {
    this.client = client;
    this.pods = pods;
    this.pools = pools;
  }

  static UnitPools create(KubernetesClient client, EventSourceContext<OperationalUnit> context) {
    // A pool pod's change concerns every unit it holds (one label each).
    var pods = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Pod.class, OperationalUnit.class)
            .withName("unit-pool-pods")
            .withLabelSelector(ContractKeys.POOL_LABEL)
            .withSecondaryToPrimaryMapper(p -> PoolPods.unitsHeld(p).stream()
                .map(u -> new ResourceID(u, p.getMetadata().getNamespace()))
                .collect(Collectors.toSet()))
            .build(),
        context);
    // A pool's change (capacity, compatibility) concerns every unit naming it.
    var pools = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(StandbyPool.class, OperationalUnit.class)
            .withName("unit-pools")
            .withSecondaryToPrimaryMapper(pool -> context
                .getPrimaryCache()
                .list(pool.getMetadata().getNamespace())
                .filter(u -> PoolViews.poolOf(u)
                    .filter(pool.getMetadata().getName()::equals)
                    .isPresent())
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet()))
            .build(),
        context);
    return new UnitPools(client, pods, pools);
  }

  List<EventSource<?, OperationalUnit>> eventSources() {
    return List.of(pods, pools);
  }

  /**
   * Where a unit stands in the pool it names.
   *
   * @param seat for the failover core (null: no pool, or none of that name: a dedicated standby)
   * @param refusal the InvalidSpec message when its template cannot run in the pool's pod
   * @param pooled its condition Pooled (null when it names no pool)
   * @param pods the pool's pods that hold it
   */
  record Place(PoolSeat seat, String refusal, Condition pooled, List<Pod> pods) {
    static final Place NONE = new Place(null, null, null, List.of());
  }

  /** {@code units}: the units of its namespace (the pool's members in join order are among them). */
  Place place(OperationalUnit unit, List<OperationalUnit> units, Instant now) {
    Optional<String> named = PoolViews.poolOf(unit);
    if (named.isEmpty()) return Place.NONE;
    String ns = unit.getMetadata().getNamespace();
    String name = unit.getMetadata().getName();
    List<Condition> previous =
        unit.getStatus() == null ? List.of() : unit.getStatus().getConditions();
    Long generation = unit.getMetadata().getGeneration();
    StandbyPool pool = pools.get(new ResourceID(named.get(), ns)).orElse(null);
    if (pool == null)
      return new Place(
          null,
          null,
          PoolViews.condition(
              CONDITION,
              false,
              "PoolNotFound",
              "no StandbyPool " + named.get() + " in namespace " + ns
                  + ": the unit keeps a standby of its own; create the pool, or remove spec.standby.pool",
              previous,
              generation,
              now),
          List.of());
    PoolViews.Membership membership = PoolViews.membership(pool, PoolViews.naming(pool, units));
    String refusal = membership.refused().get(name);
    if (refusal != null) return new Place(null, refusal, null, List.of());
    List<Pod> ofPool = pods.list(
            ns, p -> named.get().equals(p.getMetadata().getLabels().get(ContractKeys.POOL_LABEL)))
        .toList();
    List<String> compatible = new ArrayList<>(membership.held());
    compatible.addAll(membership.overflow());
    PoolView view = new PoolView(
        named.get(),
        pool.getSpec().maxUnits(),
        compatible,
        ofPool.stream().map(p -> PoolPods.sharedPod(p, membership.held())).toList());
    PoolSeat seat = PoolSeat.of(view, name);
    Condition pooled = seat.admitted()
        ? PoolViews.condition(
            CONDITION,
            true,
            "SharedStandby",
            seat.standby() == null
                ? "pool " + named.get()
                    + " holds this unit; its shared standby is being made or is adding it"
                : "pool " + named.get() + "'s shared standby " + seat.standby()
                    + " is this unit's standby",
            previous,
            generation,
            now)
        : PoolViews.condition(
            CONDITION,
            false,
            "PoolFull",
            "pool " + named.get() + " holds its spec.maxUnits ("
                + pool.getSpec().maxUnits()
                + ") units, which joined before this one: it keeps a standby of its own; raise the pool's maxUnits"
                + " (and resources.memory) to pool it",
            previous,
            generation,
            now);
    List<Pod> holding = ofPool.stream().filter(p -> PoolPods.holds(p, name)).toList();
    return new Place(seat, null, pooled, holding);
  }

  /** {@code o} with the pool's pods that hold the unit among its members, and its seat. */
  Observation observe(
      Observation o,
      Place place,
      OperationalUnit unit,
      ObservationBuilder builder,
      Readings readings) {
    if (place.seat() == null) return o;
    String name = unit.getMetadata().getName();
    String app = unit.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    Map<String, Member> members = new HashMap<>(o.members());
    for (Pod p : place.pods())
      members.put(p.getMetadata().getName(), builder.poolMember(p, name, app, o.now(), readings));
    return new Observation(
        o.policy(),
        o.state(),
        members,
        o.nodes(),
        o.lease(),
        o.service(),
        o.now(),
        o.shownTrue(),
        place.seat());
  }

  /**
   * Carries out {@code action} when it concerns a pool's pod, and says whether it did: an assignment is written under
   * the unit's own key ({@code assignment.ou.availability.dev/<unit>}), never the role label (the pod serves several
   * units); the Service is pointed at it by its member label alone (it carries no unit label, being no one unit's).
   */
  boolean executes(OperationalUnit unit, Action action, MemberSettings settings) {
    String ns = unit.getMetadata().getNamespace();
    if (action instanceof Action.Assign a && isPoolPod(ns, a.pod())) {
      assign(unit, a, settings);
      return true;
    }
    if (action instanceof Action.PointService p && isPoolPod(ns, p.pod())) {
      Service desired = UnitObjectsBuilder.service(unit, p.pod());
      desired.getSpec().setSelector(Map.of(ContractKeys.MEMBER_LABEL, p.pod()));
      client
          .services()
          .inNamespace(ns)
          .resource(desired)
          .fieldManager(Naming.FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
      return true;
    }
    return false;
  }

  private boolean isPoolPod(String ns, String pod) {
    return pods.get(new ResourceID(pod, ns)).isPresent();
  }

  private void assign(OperationalUnit unit, Action.Assign a, MemberSettings settings) {
    String ns = unit.getMetadata().getNamespace();
    Role role = Role.valueOf(a.role().name());
    String json = ContractJson.toJson(Assignments.of(role, a.epoch(), a.peer(), settings));
    String patch = Serialization.asJson(Map.of(
        "metadata",
        Map.of(
            "annotations",
            Map.of(ContractKeys.assignmentAnnotation(unit.getMetadata().getName()), json))));
    try {
      Pod patched = client
          .pods()
          .inNamespace(ns)
          .withName(a.pod())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      pods.handleRecentResourceUpdate(ResourceID.fromResource(patched), patched, null);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e; // a pod that is gone needs no assignment
    }
  }

  /** The status with the unit's condition Pooled in place (none when it names no pool). */
  static void writeCondition(OperationalUnitStatus status, Place place) {
    List<Condition> conditions =
        new ArrayList<>(Optional.ofNullable(status.getConditions()).orElse(List.of()));
    conditions.removeIf(c -> CONDITION.equals(c.getType()));
    if (place.pooled() != null) conditions.add(place.pooled());
    status.setConditions(conditions);
  }
}
