package dev.availability.ou.operator;

import dev.availability.ou.api.FailoverProgress;
import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.failover.FailoverTimings;
import dev.availability.ou.failover.Intent;
import dev.availability.ou.failover.PromotionKind;
import dev.availability.ou.failover.RequestAnswer;
import dev.availability.ou.failover.Requests;
import dev.availability.ou.failover.UnitState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the unit's stored status back into the failover core's {@link UnitState}: the failover under way, the history
 * and the answers given. Apart from {@link ObservationBuilder} so each stays one job: the status is the operator's own
 * record, the rest of an observation is what the cluster shows.
 */
final class UnitStatusReader {
  private UnitStatusReader() {}

  static UnitState state(OperationalUnitStatus s, Readings readings, Instant now) {
    if (s == null || s.getPrimary() == null && s.getFailover() == null) {
      return s == null || s.getNextMemberOrdinal() == null
          ? UnitState.initial()
          : UnitState.initial().withNextOrdinal(s.getNextMemberOrdinal());
    }
    return new UnitState(
        s.getPrimary() == null ? null : s.getPrimary().getPod(),
        s.getStandby() == null ? null : s.getStandby().getPod(),
        Optional.ofNullable(s.getEpoch()).orElse(0L),
        Optional.ofNullable(s.getFailovers()).orElse(0),
        Optional.ofNullable(s.getSwitchovers()).orElse(0),
        Optional.ofNullable(s.getNextMemberOrdinal()).orElse(0L),
        intent(s.getFailover(), readings, now),
        history(s, readings),
        s.getHomeNode(),
        s.getPrimaryRestartBaseline(),
        answers(s.getRequests(), readings),
        QuarantineStatus.read(s.getQuarantinedStimuli(), readings));
  }

  /**
   * The answers already given, so no request value is acted on twice (across restarts too). An unreadable time reads
   * as unknown; the answer still counts.
   */
  private static Map<Requests.Kind, RequestAnswer> answers(
      List<RequestStatus> requests, Readings readings) {
    Map<Requests.Kind, RequestAnswer> answers = new EnumMap<>(Requests.Kind.class);
    if (requests == null) return answers;
    for (RequestStatus r : requests) {
      if (r == null || r.getKind() == null || r.getState() == null) continue;
      Requests.Kind kind = Requests.Kind.valueOf(r.getKind().name());
      answers.put(
          kind,
          new RequestAnswer(
              kind,
              r.getValue(),
              RequestAnswer.State.valueOf(r.getState().name()),
              r.getMessage(),
              readings.time("status.requests[" + r.getKind() + "].updatedAt", r.getUpdatedAt())));
    }
    return answers;
  }

  /** The history, newest first; a status written before there was one holds only lastFailover. */
  private static List<FailoverTimings> history(OperationalUnitStatus s, Readings readings) {
    List<FailoverRecord> records = s.getHistory();
    if (records == null || records.isEmpty()) {
      return s.getLastFailover() == null
          ? List.of()
          : List.of(timings(s.getLastFailover(), "status.lastFailover.", readings));
    }
    List<FailoverTimings> history = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i) != null)
        history.add(timings(records.get(i), "status.history[" + i + "].", readings));
    }
    return history;
  }

  /**
   * The failover under way. A decision time that does not parse reads as now: timeouts counted from it start
   * late rather than early. Any other unreadable time reads as not yet reached (its step is done again).
   */
  private static Intent intent(FailoverProgress f, Readings readings, Instant now) {
    if (f == null) return null;
    String at = "status.failover.";
    Instant decided = Optional.ofNullable(readings.time(at + "decidedAt", f.getDecidedAt()))
        .orElse(f.getDecidedAt() == null ? null : now);
    Instant fault = Optional.ofNullable(
            readings.time(at + "faultObservedAt", f.getFaultObservedAt()))
        .orElse(f.getFaultObservedAt() == null ? null : decided != null ? decided : now);
    return new Intent(
        f.getTargetPrimary(),
        f.getFormerPrimary(),
        f.getFormerPrimaryNode(),
        Optional.ofNullable(f.getEpoch()).orElse(0L),
        f.getReason(),
        f.getMessage(),
        fault,
        decided,
        readings.time(at + "serviceSwitchedAt", f.getServiceSwitchedAt()),
        kind(f.getKind(), f.getPlanned()),
        f.getLagAtDecision(),
        readings.time(at + "promotionAskedAt", f.getPromotionAskedAt()),
        f.getSuccessor());
  }

  /** The kind recorded; a record written before kinds existed says only whether it was planned. */
  private static PromotionKind kind(FailoverRecord.Kind kind, Boolean planned) {
    if (kind != null) return PromotionKind.valueOf(kind.name());
    return Boolean.TRUE.equals(planned) ? PromotionKind.Switchover : PromotionKind.Failover;
  }

  private static FailoverTimings timings(FailoverRecord r, String at, Readings readings) {
    return new FailoverTimings(
        r.getFormerPrimary(),
        r.getNewPrimary(),
        Optional.ofNullable(r.getEpoch()).orElse(0L),
        r.getReason(),
        r.getMessage(),
        readings.time(at + "faultObservedAt", r.getFaultObservedAt()),
        readings.time(at + "decidedAt", r.getDecidedAt()),
        readings.time(at + "serviceSwitchedAt", r.getServiceSwitchedAt()),
        readings.time(at + "endpointsSwitchedAt", r.getEndpointsSwitchedAt()),
        readings.time(at + "standbyReadyAt", r.getStandbyReadyAt()),
        Duration.ofMillis(Optional.ofNullable(r.getRecoveryBudgetMillis()).orElse(0L)),
        r.getUpdatesLost(),
        kind(r.getKind(), r.getPlanned()));
  }
}
