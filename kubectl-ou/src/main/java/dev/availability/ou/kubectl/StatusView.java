package dev.availability.ou.kubectl;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kubectl ou status} as data (what {@code -o json} prints): built from a {@link UnitSnapshot} and the time,
 * nothing read. Ages are milliseconds before {@code now}; absent when unknown.
 */
record StatusView(
    String unit,
    String namespace,
    String phase,
    Long epoch,
    String mode,
    Integer failovers,
    Operations operations,
    List<Member> members,
    LeaseView lease,
    List<ConditionView> conditions,
    List<FailoverRecord> history,
    List<RequestStatus> requests,
    List<EventView> events) {
  static final int EVENTS = 15;

  /** The operations asked for through the unit's annotations (what is in effect, not whether the operator acted yet). */
  record Operations(
      boolean paused, List<String> fencedMembers, String switchoverTo, String drill) {}

  /**
   * A member pod and its sidecar's report ({@link MemberReport}). role/epoch are what the sidecar acts in;
   * assignedRole/assignedEpoch what the operator asked of it.
   */
  record Member(
      String pod,
      String node,
      String podPhase,
      boolean ready,
      boolean fenced,
      String role,
      Long epoch,
      Long durableSequence,
      Long lag,
      Boolean inSync,
      Long peerHeartbeatAgeMillis,
      Boolean peerLost,
      Boolean appHealthy,
      Long reportAgeMillis,
      String assignedRole,
      Long assignedEpoch,
      String problem) {}

  record LeaseView(
      String name,
      String holder,
      Long epoch,
      Long renewedAgeMillis,
      Long durationMillis,
      Long acquiredAgeMillis) {}

  record ConditionView(String type, String status, String reason, String message, Long ageMillis) {}

  record EventView(
      String type, String reason, String object, String message, Integer count, Long ageMillis) {}

  static StatusView of(UnitSnapshot s, Instant now) {
    OperationalUnit u = s.unit();
    OperationalUnitStatus st = u.getStatus() == null ? new OperationalUnitStatus() : u.getStatus();
    Operations ops = operations(u);
    List<Member> members = s.pods().stream().map(p -> member(p, ops, now)).toList();
    List<ConditionView> conditions = st.getConditions() == null
        ? List.of()
        : st.getConditions().stream()
            .map(c -> new ConditionView(
                c.getType(),
                c.getStatus(),
                c.getReason(),
                c.getMessage(),
                age(c.getLastTransitionTime(), now)))
            .toList();
    List<EventView> events = s.events().stream()
        .sorted(
            Comparator.comparing((Event e) -> lastSeen(e).orElse(Instant.EPOCH)).reversed())
        .limit(EVENTS)
        .map(e -> new EventView(
            e.getType(),
            e.getReason(),
            e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName(),
            e.getMessage(),
            e.getCount(),
            lastSeen(e).map(t -> now.toEpochMilli() - t.toEpochMilli()).orElse(null)))
        .toList();
    String mode = u.getSpec() == null
            || u.getSpec().getReplication() == null
            || u.getSpec().getReplication().getMode() == null
        ? null
        : u.getSpec().getReplication().getMode().name();
    return new StatusView(
        u.getMetadata().getName(),
        u.getMetadata().getNamespace(),
        st.getPhase() == null ? null : st.getPhase().name(),
        st.getEpoch(),
        mode,
        st.getFailovers(),
        ops,
        members,
        lease(s.lease(), now),
        conditions,
        st.getHistory() == null ? List.of() : st.getHistory(),
        st.getRequests() == null ? List.of() : st.getRequests(),
        events);
  }

  static Operations operations(OperationalUnit u) {
    Map<String, String> a =
        u.getMetadata().getAnnotations() == null ? Map.of() : u.getMetadata().getAnnotations();
    return new Operations(
        RequestCommand.paused(u),
        FencedMembers.parse(a.get(UnitAnnotations.FENCED_MEMBERS)),
        a.get(UnitAnnotations.SWITCHOVER_TO),
        a.get(UnitAnnotations.DRILL));
  }

  private static Member member(Pod p, Operations ops, Instant now) {
    String name = p.getMetadata().getName();
    Map<String, String> a =
        p.getMetadata().getAnnotations() == null ? Map.of() : p.getMetadata().getAnnotations();
    String problem = null;
    MemberReport r = null;
    Assignment asg = null;
    try {
      if (a.get(ContractKeys.REPORT_ANNOTATION) != null)
        r = ContractJson.report(a.get(ContractKeys.REPORT_ANNOTATION));
      else problem = "no report from its sidecar yet";
    } catch (IllegalArgumentException e) {
      problem = "unreadable report: " + e.getMessage();
    }
    try {
      if (a.get(ContractKeys.ASSIGNMENT_ANNOTATION) != null)
        asg = ContractJson.assignment(a.get(ContractKeys.ASSIGNMENT_ANNOTATION));
    } catch (IllegalArgumentException e) {
      problem = "unreadable assignment: " + e.getMessage();
    }
    boolean ready = p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new Member(
        name,
        p.getSpec() == null ? null : p.getSpec().getNodeName(),
        p.getStatus() == null ? null : p.getStatus().getPhase(),
        ready,
        ops.fencedMembers().contains(name),
        r == null || r.role() == null ? null : r.role().name(),
        r == null ? null : r.epoch(),
        r == null ? null : r.lastDurableSeq(),
        r == null ? null : r.lag(),
        r == null ? null : r.inSync(),
        r == null ? null : r.peerHeartbeatAgeMillis(),
        r == null ? null : r.peerLost(),
        r == null ? null : r.appHealthy(),
        r == null || r.reportedAtMillis() == 0 ? null : now.toEpochMilli() - r.reportedAtMillis(),
        asg == null || asg.role() == null ? null : asg.role().name(),
        asg == null ? null : asg.epoch(),
        problem);
  }

  private static LeaseView lease(Lease l, Instant now) {
    if (l == null || l.getSpec() == null) return null;
    Map<String, String> a =
        l.getMetadata().getAnnotations() == null ? Map.of() : l.getMetadata().getAnnotations();
    Long duration = number(a.get(ContractKeys.LEASE_DURATION_MS_ANNOTATION));
    if (duration == null && l.getSpec().getLeaseDurationSeconds() != null)
      duration = l.getSpec().getLeaseDurationSeconds() * 1000L;
    return new LeaseView(
        l.getMetadata().getName(),
        l.getSpec().getHolderIdentity(),
        number(a.get(ContractKeys.LEASE_EPOCH_ANNOTATION)),
        age(l.getSpec().getRenewTime(), now),
        duration,
        age(l.getSpec().getAcquireTime(), now));
  }

  private static Optional<Instant> lastSeen(Event e) {
    return Optional.ofNullable(instant(e.getLastTimestamp()))
        .or(() -> Optional.ofNullable(
            e.getEventTime() == null ? null : instant(e.getEventTime().getTime())))
        .or(() -> Optional.ofNullable(instant(e.getFirstTimestamp())))
        .or(() -> Optional.ofNullable(instant(e.getMetadata().getCreationTimestamp())));
  }

  static Long age(String time, Instant now) {
    Instant t = instant(time);
    return t == null ? null : now.toEpochMilli() - t.toEpochMilli();
  }

  static Long age(java.time.ZonedDateTime time, Instant now) {
    return time == null ? null : now.toEpochMilli() - time.toInstant().toEpochMilli();
  }

  static Instant instant(String time) {
    if (time == null || time.isBlank()) return null;
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Long number(String s) {
    try {
      return s == null ? null : Long.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
