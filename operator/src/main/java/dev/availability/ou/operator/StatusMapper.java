package dev.availability.ou.operator;

import dev.availability.ou.api.FailoverProgress;
import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.MemberRef;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.StandbyStatus;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.ConditionView;
import dev.availability.ou.failover.Decision;
import dev.availability.ou.failover.FailoverTimings;
import dev.availability.ou.failover.Intent;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.Observation;
import dev.availability.ou.failover.RequestAnswer;
import dev.availability.ou.failover.Requests;
import dev.availability.ou.failover.StandbyAssessment;
import dev.availability.ou.failover.UnitState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Writes a decision into the unit's status: the state to remember, the phase, conditions with transition times. */
final class StatusMapper {
  private StatusMapper() {}

  /** {@code malformed}: the values read for this unit that did not parse ({@link Readings}). */
  static OperationalUnitStatus toStatus(
      OperationalUnit unit, Decision d, Observation o, List<String> malformed, Instant now) {
    OperationalUnitStatus previous =
        Optional.ofNullable(unit.getStatus()).orElseGet(OperationalUnitStatus::new);
    OperationalUnitStatus s = new OperationalUnitStatus();
    UnitState st = d.state();
    s.setPhase(UnitPhase.valueOf(d.phase().name()));
    s.setEpoch(st.epoch());
    s.setFailovers(st.failovers());
    s.setSwitchovers(st.switchovers());
    s.setNextMemberOrdinal(st.nextOrdinal());
    s.setHomeNode(st.homeNode());
    s.setPrimaryRestartBaseline(st.primaryRestartBaseline());
    if (st.primary() != null)
      s.setPrimary(
          new MemberRef(st.primary(), o.member(st.primary()).map(Member::node).orElse(null)));
    if (st.standby() != null) {
      Optional<Member> m = o.member(st.standby());
      StandbyAssessment a = m.map(x -> StandbyAssessment.of(x, o)).orElse(null);
      s.setStandby(new StandbyStatus(
          st.standby(),
          m.map(Member::node).orElse(null),
          a == null ? Boolean.FALSE : a.inSync(),
          a == null ? null : a.lag()));
    }
    s.setFailover(progress(st.intent()));
    s.setLastFailover(record(st.lastFailover()));
    s.setHistory(st.history().stream().map(StatusMapper::record).toList());
    s.setRequests(requests(st));
    s.setQuarantinedStimuli(QuarantineStatus.of(st.quarantine()));
    List<ConditionView> views = new ArrayList<>(d.conditions());
    views.add(MalformedValuesCondition.of(malformed));
    s.setConditions(
        conditions(previous.getConditions(), views, unit.getMetadata().getGeneration(), now));
    s.setObservedGeneration(unit.getMetadata().getGeneration());
    return s;
  }

  /**
   * The status when the unit cannot go on as it is (a spec invalid in a way only the operator can see, an object of
   * its name it did not create): Degraded with that reason, nothing else changes.
   */
  static OperationalUnitStatus refused(
      OperationalUnit unit, ConditionReason reason, String message, Instant now) {
    OperationalUnitStatus previous =
        Optional.ofNullable(unit.getStatus()).orElseGet(OperationalUnitStatus::new);
    OperationalUnitStatus s = io.fabric8.kubernetes.client.utils.Serialization.clone(previous);
    if (s.getPhase() == null) s.setPhase(UnitPhase.Pending);
    List<ConditionView> views = new ArrayList<>();
    views.add(new ConditionView(ConditionType.Degraded, true, reason, message));
    if (previous.getPrimary() == null)
      views.add(new ConditionView(ConditionType.Ready, false, reason, message));
    s.setConditions(
        conditions(previous.getConditions(), views, unit.getMetadata().getGeneration(), now));
    s.setObservedGeneration(unit.getMetadata().getGeneration());
    return s;
  }

  private static FailoverProgress progress(Intent i) {
    if (i == null) return null;
    FailoverProgress p = new FailoverProgress();
    p.setTargetPrimary(i.target());
    p.setFormerPrimary(i.former());
    p.setFormerPrimaryNode(i.formerNode());
    p.setEpoch(i.epoch());
    p.setReason(i.reason());
    p.setMessage(i.message());
    p.setFaultObservedAt(Times.format(i.faultObservedAt()));
    p.setDecidedAt(Times.format(i.decidedAt()));
    p.setServiceSwitchedAt(Times.format(i.serviceSwitchedAt()));
    p.setPlanned(i.planned() ? Boolean.TRUE : null);
    p.setKind(FailoverRecord.Kind.valueOf(i.kind().name()));
    p.setLagAtDecision(i.lagAtDecision());
    p.setPromotionAskedAt(Times.format(i.promotionAskedAt()));
    p.setSuccessor(i.successor());
    return p;
  }

  private static FailoverRecord record(FailoverTimings t) {
    if (t == null) return null;
    FailoverRecord r = new FailoverRecord();
    r.setKind(FailoverRecord.Kind.valueOf(t.kind().name()));
    r.setFormerPrimary(t.former());
    r.setNewPrimary(t.newPrimary());
    r.setEpoch(t.epoch());
    r.setReason(t.reason());
    r.setMessage(t.message());
    r.setFaultObservedAt(Times.format(t.faultObservedAt()));
    r.setDecidedAt(Times.format(t.decidedAt()));
    r.setServiceSwitchedAt(Times.format(t.serviceSwitchedAt()));
    r.setEndpointsSwitchedAt(Times.format(t.endpointsSwitchedAt()));
    r.setStandbyReadyAt(Times.format(t.standbyReadyAt()));
    r.setDetectionMillis(millis(t.detection()));
    r.setPromotionMillis(millis(t.promotion()));
    r.setTrafficSwitchedMillis(millis(t.trafficSwitched()));
    r.setRecoveryBudgetMillis(t.recoveryBudget().toMillis());
    r.setWithinRecoveryBudget(t.withinRecoveryBudget());
    r.setUpdatesLost(t.updatesLost());
    r.setPlanned(t.planned() ? Boolean.TRUE : null);
    return r;
  }

  /** The answer to each kind of request, in the order of the kinds (so the status does not churn). */
  private static List<RequestStatus> requests(UnitState st) {
    List<RequestStatus> result = new ArrayList<>();
    for (Requests.Kind kind : Requests.Kind.values()) {
      RequestAnswer a = st.answer(kind);
      if (a == null) continue;
      RequestStatus r = new RequestStatus();
      r.setKind(RequestStatus.Kind.valueOf(kind.name()));
      r.setValue(a.value());
      r.setState(RequestStatus.State.valueOf(a.state().name()));
      r.setMessage(a.message());
      r.setUpdatedAt(Times.format(a.at()));
      result.add(r);
    }
    return result;
  }

  private static Long millis(Duration d) {
    return d == null ? null : d.toMillis();
  }

  /** The condition of this type in the status, if it carries one. */
  static Optional<Condition> condition(OperationalUnitStatus status, ConditionType type) {
    if (status == null || status.getConditions() == null) return Optional.empty();
    return status.getConditions().stream()
        .filter(c -> type.name().equals(c.getType()))
        .findFirst();
  }

  /** When a condition's status changed: now, or earlier when the decider knows it changed before it could see it. */
  private static Instant changedAt(ConditionView v, Instant now) {
    return v.since() != null && v.since().isBefore(now) ? v.since() : now;
  }

  /** Keeps lastTransitionTime while a condition's status stays the same. */
  static List<Condition> conditions(
      List<Condition> previous, List<ConditionView> views, Long generation, Instant now) {
    List<Condition> result = new ArrayList<>();
    List<Condition> old = previous == null ? List.of() : previous;
    for (ConditionView v : views) {
      String status = v.status() ? "True" : "False";
      Optional<Condition> before =
          old.stream().filter(c -> v.type().name().equals(c.getType())).findFirst();
      String since = before
          .filter(c -> status.equals(c.getStatus()))
          .map(Condition::getLastTransitionTime)
          .orElse(Times.format(changedAt(v, now)));
      result.add(new ConditionBuilder()
          .withType(v.type().name())
          .withStatus(status)
          .withReason(v.reason())
          .withMessage(v.message())
          .withObservedGeneration(generation)
          .withLastTransitionTime(since)
          .build());
    }
    // Conditions this decision did not speak about stay as they were.
    for (Condition c : old) {
      if (result.stream().noneMatch(r -> Objects.equals(r.getType(), c.getType()))) result.add(c);
    }
    return result;
  }
}
