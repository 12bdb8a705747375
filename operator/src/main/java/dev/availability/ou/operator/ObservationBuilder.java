package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.SidecarHeap;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.Observation;
import dev.availability.ou.failover.PrimaryLease;
import dev.availability.ou.failover.Requests;
import dev.availability.ou.failover.ServiceView;
import dev.availability.ou.failover.UnitPolicy;
import dev.availability.ou.failover.UnitState;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Turns the unit and what the informers hold into the failover core's {@link Observation}. Translation
 * only: no decisions here.
 */
final class ObservationBuilder {
  /**
   * When a pod's unreadiness was first seen, for pods whose Ready condition carries no transition time; by namespace
   * and name: two units of one name in two namespaces have pods of one name, and a Ready one cleared the other's
   * entry, so each sighting of the unready one started it anew (CI, the pool drill: a starting primary lost its startup
   * allowance while a namesake's namespace was deleted, and failed over).
   */
  private final Map<String, Instant> unreadySeen = new ConcurrentHashMap<>();
  /** When the operator saw each lease renewal (the unit's and the nodes'), by its own clock. */
  private final LeaseRenewalsSeen renewals;

  ObservationBuilder(LeaseRenewalsSeen renewals) {
    this.renewals = renewals;
  }

  /** For tests: renewals timed as they are built. */
  ObservationBuilder() {
    this(new LeaseRenewalsSeen(java.time.Clock.systemUTC()));
  }

  Observation build(
      OperationalUnit unit,
      Collection<Pod> pods,
      Collection<Node> nodes,
      Map<String, Lease> nodeLeases,
      Lease unitLease,
      Service service,
      Collection<EndpointSlice> slices,
      Instant now) {
    return build(unit, pods, nodes, nodeLeases, unitLease, service, slices, now, new Readings());
  }

  /** As above, noting in {@code readings} every value that does not parse (it is read as absent). */
  Observation build(
      OperationalUnit unit,
      Collection<Pod> pods,
      Collection<Node> nodes,
      Map<String, Lease> nodeLeases,
      Lease unitLease,
      Service service,
      Collection<EndpointSlice> slices,
      Instant now,
      Readings readings) {
    UnitPolicy policy = policy(unit);
    Map<String, Member> members = new HashMap<>();
    String appContainer =
        unit.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    for (Pod pod : pods)
      members.put(pod.getMetadata().getName(), member(pod, appContainer, now, readings));
    Map<String, NodeView> nodeViews = new HashMap<>();
    for (Node node : nodes) {
      Lease nodeLease = nodeLeases.get(node.getMetadata().getName());
      nodeViews.put(
          node.getMetadata().getName(),
          NodeViews.node(node, nodeLease, renewals.seenAt(nodeLease, now), now));
    }
    return new Observation(
        policy,
        state(unit.getStatus(), readings, now),
        members,
        nodeViews,
        lease(unitLease, readings, renewals.seenAt(unitLease, now)),
        service(service, slices),
        now,
        shownTrue(unit.getStatus()));
  }

  /** The unit's policy, the one reading of its spec (and request annotations) that the core and the executor use. */
  static UnitPolicy policy(OperationalUnit unit) {
    return new UnitPolicy(
        unit.getMetadata().getName(),
        UnitPolicy.Mode.valueOf(unit.getSpec().getReplication().getMode().name()),
        !Boolean.FALSE.equals(unit.getSpec().getFailover().getAutomatic()),
        unit.getSpec().getFailover().effectiveRecoveryBudget(),
        unit.getSpec().getReplication().getMaxPromotableLag(),
        unit.getSpec().getFailover().getFailback()
            == dev.availability.ou.api.FailoverSpec.Failback.Automatic,
        TemplateHash.of(unit.getSpec()),
        requests(unit),
        loopProtection(unit.getSpec().getFailover().getLoopProtection()));
  }

  private static UnitPolicy.LoopProtection loopProtection(
      dev.availability.ou.api.LoopProtectionSpec spec) {
    if (spec == null) return null;
    return new UnitPolicy.LoopProtection(
        spec.getMaxFailovers(),
        spec.getWindow() == null
            ? null
            : dev.availability.ou.api.Durations.parse(spec.getWindow()));
  }

  /** The conditions the status shows True: the core tells by them when one starts (its event). */
  static Set<ConditionType> shownTrue(OperationalUnitStatus s) {
    if (s == null || s.getConditions() == null) return Set.of();
    return Arrays.stream(ConditionType.values())
        .filter(t -> s.getConditions().stream()
            .anyMatch(c -> t.name().equals(c.getType()) && "True".equals(c.getStatus())))
        .collect(Collectors.toSet());
  }

  /** What the unit's annotations ask ({@link UnitAnnotations}), as written: the failover core parses and answers them. */
  static Requests requests(OperationalUnit unit) {
    Map<String, String> a =
        Optional.ofNullable(unit.getMetadata().getAnnotations()).orElse(Map.of());
    return new Requests(
        a.get(UnitAnnotations.SWITCHOVER_TO),
        a.get(UnitAnnotations.DRILL),
        a.get(UnitAnnotations.PAUSED),
        a.get(UnitAnnotations.FENCED_MEMBERS),
        a.get(UnitAnnotations.RESUME_FAILOVERS),
        a.get(UnitAnnotations.RELEASE_STIMULUS),
        a.get(UnitAnnotations.DROP_STIMULUS));
  }

  /** The stored status as the core reads it ({@link UnitStatusReader}). */
  static UnitState state(OperationalUnitStatus s, Readings readings, Instant now) {
    return UnitStatusReader.state(s, readings, now);
  }

  /**
   * Ready False while ContainersReady is True: the node lifecycle controller's mark, not the kubelet's. The controller
   * sets only Ready, on every pod of a node it judged Unknown (after an API server outage longer than its grace
   * period, every node at once, before the kubelets' heartbeats reach it again); the kubelet sets both, unless a
   * readiness gate holds the pod, and members have none. The kubelet's word stands: a node really gone shows in the
   * node's own signals and in the primary's lease.
   */
  private static boolean markedNotReadyByNodeController(Pod pod, List<PodCondition> conditions) {
    if (pod.getSpec() != null
        && pod.getSpec().getReadinessGates() != null
        && !pod.getSpec().getReadinessGates().isEmpty()) return false;
    boolean readyFalse = conditions.stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus()));
    boolean containersReady = conditions.stream()
        .anyMatch(c -> "ContainersReady".equals(c.getType()) && "True".equals(c.getStatus()));
    return readyFalse && containersReady;
  }

  private Member member(Pod pod, String appContainer, Instant now, Readings readings) {
    return member(
        pod,
        appContainer,
        now,
        readings,
        ContractKeys.ASSIGNMENT_ANNOTATION,
        ContractKeys.REPORT_ANNOTATION);
  }

  /** A standby pool's pod as unit {@code unit}'s member: its assignment and report for that unit ({@link UnitPools}). */
  Member poolMember(Pod pod, String unit, String appContainer, Instant now, Readings readings) {
    return member(
        pod,
        appContainer,
        now,
        readings,
        ContractKeys.assignmentAnnotation(unit),
        ContractKeys.reportAnnotation(unit));
  }

  private Member member(
      Pod pod,
      String appContainer,
      Instant now,
      Readings readings,
      String assignmentKey,
      String reportKey) {
    String name = pod.getMetadata().getName();
    Map<String, String> annotations =
        Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    // A malformed assignment reads as none (the operator assigns the member again); a malformed
    // report as none yet.
    Assignment assignment = readings.json(
        "pod " + name + " annotation " + assignmentKey,
        annotations.get(assignmentKey),
        ContractJson::assignment);
    MemberReport report = readings.json(
        "pod " + name + " annotation " + reportKey,
        annotations.get(reportKey),
        ContractJson::report);
    var status = pod.getStatus();
    List<PodCondition> conditions =
        status == null || status.getConditions() == null ? List.of() : status.getConditions();
    Optional<PodCondition> ready =
        conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    boolean isReady = ready.map(c -> "True".equals(c.getStatus())).orElse(false)
        || markedNotReadyByNodeController(pod, conditions);
    Instant readySince = ready.map(c -> Times.parse(c.getLastTransitionTime())).orElse(null);
    String seenKey = pod.getMetadata().getNamespace() + "/" + name;
    if (isReady) {
      unreadySeen.remove(seenKey);
    } else {
      // Condition times have second precision; a sub-second readiness grace needs our own first
      // sighting. The later of the two never overstates how long the pod has been unready.
      Instant firstSeen = unreadySeen.computeIfAbsent(seenKey, n -> now);
      readySince = readySince == null || firstSeen.isAfter(readySince) ? firstSeen : readySince;
    }
    boolean unschedulable = conditions.stream()
        .anyMatch(c -> "PodScheduled".equals(c.getType())
            && "False".equals(c.getStatus())
            && "Unschedulable".equals(c.getReason()));
    Member.PodPhase phase = status == null || status.getPhase() == null
        ? Member.PodPhase.Pending
        : parsePhase(status.getPhase());
    Instant deletion = null;
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      long grace =
          Optional.ofNullable(pod.getMetadata().getDeletionGracePeriodSeconds()).orElse(0L);
      deletion = Times.parse(pod.getMetadata().getDeletionTimestamp()).minusSeconds(grace);
    }
    long ordinal = ordinal(name);
    return new Member(
        name,
        ordinal,
        pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
        assignment == null ? null : Member.Role.valueOf(assignment.role().name()),
        assignment == null ? 0 : assignment.epoch(),
        assignment == null ? null : assignment.peer(),
        phase,
        isReady,
        readySince,
        app(status == null ? null : status.getContainerStatuses(), appContainer),
        deletion,
        unschedulable,
        annotations.get(Naming.TEMPLATE_HASH),
        report == null ? null : report(report),
        Assignments.settings(assignment),
        assignment == null ? null : assignment.nextPeer());
  }

  private static Member.Report report(MemberReport r) {
    return new Member.Report(
        r.role() == null ? null : Member.Role.valueOf(r.role().name()),
        r.epoch(),
        r.lastDurableSeq(),
        r.lag(),
        r.inSync(),
        r.peerLost(),
        r.peerHeartbeatAgeMillis(),
        r.appHealthy(),
        Instant.ofEpochMilli(r.reportedAtMillis()),
        r.stateBytes() == null || r.heapMaxBytes() == null
            ? null
            : memory(r.stateBytes(), r.heapMaxBytes(), Boolean.TRUE.equals(r.heapTooSmall())),
        r.reprocessing(),
        r.reprocessingNow(),
        r.inSyncSinceMillis() == null ? null : Instant.ofEpochMilli(r.inSyncSinceMillis()));
  }

  /** The sidecar's memory with the sizes the contract derives from its state ({@link SidecarHeap}). */
  static Member.Memory memory(long stateBytes, long heapMaxBytes, boolean heapTooSmall) {
    long state = Math.max(0, stateBytes); // a negative size is nonsense, never a reason to throw
    return new Member.Memory(
        stateBytes,
        heapMaxBytes,
        heapTooSmall,
        SidecarHeap.forStateBytes(state),
        SidecarHeap.stateMemoryToDeclareMiB(state));
  }

  private static Member.AppContainer app(List<ContainerStatus> statuses, String name) {
    if (statuses == null) return null;
    return statuses.stream()
        .filter(s -> name.equals(s.getName()))
        .findFirst()
        .map(s -> {
          var st = s.getState();
          int restarts = Optional.ofNullable(s.getRestartCount()).orElse(0);
          if (st == null)
            return new Member.AppContainer(Member.AppContainer.State.Unknown, restarts, null, null);
          if (st.getTerminated() != null) {
            return new Member.AppContainer(
                Member.AppContainer.State.Terminated,
                restarts,
                st.getTerminated().getReason(),
                Times.parse(st.getTerminated().getFinishedAt()));
          }
          if (st.getWaiting() != null)
            return new Member.AppContainer(
                Member.AppContainer.State.Waiting, restarts, st.getWaiting().getReason(), null);
          if (st.getRunning() != null)
            return new Member.AppContainer(
                Member.AppContainer.State.Running,
                restarts,
                null,
                Times.parse(st.getRunning().getStartedAt()));
          return new Member.AppContainer(Member.AppContainer.State.Unknown, restarts, null, null);
        })
        .orElse(null);
  }

  /** Whether and why the node is being emptied, or null ({@link NodeViews#maintenance}). */
  static NodeView.Maintenance maintenance(Node node) {
    return NodeViews.maintenance(node);
  }

  /**
   * The unit's Lease. An unreadable epoch reads as -1, an epoch no unit has: the decider then writes the Lease
   * again, and nothing counts as renewed at the current epoch until it has. An unreadable or non-positive duration
   * reads as the Lease's own leaseDurationSeconds.
   */
  private static PrimaryLease lease(Lease lease, Readings readings, Instant renewalSeenAt) {
    if (lease == null || lease.getSpec() == null) return null;
    String where = "Lease " + lease.getMetadata().getName() + " annotation ";
    Map<String, String> a =
        Optional.ofNullable(lease.getMetadata().getAnnotations()).orElse(Map.of());
    String epochText = a.get(ContractKeys.LEASE_EPOCH_ANNOTATION);
    long epoch = epochText == null
        ? 0
        : Optional.ofNullable(
                readings.number(where + ContractKeys.LEASE_EPOCH_ANNOTATION, epochText))
            .orElse(-1L);
    String millisText = a.get(ContractKeys.LEASE_DURATION_MS_ANNOTATION);
    Long millis = readings.number(where + ContractKeys.LEASE_DURATION_MS_ANNOTATION, millisText);
    if (millis != null && millis <= 0)
      millis = readings.note(
          where + ContractKeys.LEASE_DURATION_MS_ANNOTATION, millisText, "is not positive");
    Duration duration = millis != null
        ? Duration.ofMillis(millis)
        : Duration.ofSeconds(
            Optional.ofNullable(lease.getSpec().getLeaseDurationSeconds()).orElse(15));
    // Renewed when the operator saw the renewal arrive, by its own clock (LeaseRenewalsSeen), never
    // the holder's renewTime.
    return new PrimaryLease(lease.getSpec().getHolderIdentity(), epoch, renewalSeenAt, duration);
  }

  private static ServiceView service(Service service, Collection<EndpointSlice> slices) {
    if (service == null) return ServiceView.absent();
    String selected = service.getSpec().getSelector() == null
        ? null
        : service.getSpec().getSelector().get(ContractKeys.MEMBER_LABEL);
    Set<String> endpoints = new HashSet<>();
    for (EndpointSlice slice : slices) {
      if (slice.getEndpoints() == null) continue;
      slice.getEndpoints().stream()
          .map(e -> e.getTargetRef() == null ? null : e.getTargetRef().getName())
          .filter(Objects::nonNull)
          .forEach(endpoints::add);
    }
    return new ServiceView(selected, endpoints);
  }

  private static Member.PodPhase parsePhase(String phase) {
    try {
      return Member.PodPhase.valueOf(phase);
    } catch (IllegalArgumentException e) {
      return Member.PodPhase.Unknown;
    }
  }

  private static long ordinal(String pod) {
    try {
      return Long.parseLong(pod.substring(pod.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
