package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.ConditionView;
import dev.availability.ou.failover.Decision;
import dev.availability.ou.failover.FailoverTimings;
import dev.availability.ou.failover.Intent;
import dev.availability.ou.failover.Observation;
import dev.availability.ou.failover.Phase;
import dev.availability.ou.failover.PromotionKind;
import dev.availability.ou.failover.RequestAnswer;
import dev.availability.ou.failover.Requests;
import dev.availability.ou.failover.ServiceView;
import dev.availability.ou.failover.UnitState;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 items 1 and 6: the answers to requests, the history and the switchover count go into the status and come
 * back from it unchanged, so an operator that restarts (or a new leader) neither forgets a promotion nor acts twice on
 * a request value it has answered.
 */
class StatusMapperTest {
  static final Instant T = Instant.parse("2026-12-05T11:20:00.123Z");

  private static FailoverTimings timings(long epoch, PromotionKind kind, String reason) {
    Instant at = T.plusSeconds(60 * epoch);
    return new FailoverTimings(
        "kv-" + (epoch - 2),
        "kv-" + (epoch - 1),
        epoch,
        reason,
        reason + " at " + epoch,
        at,
        at.plusMillis(400),
        at.plusMillis(700),
        at.plusMillis(900),
        at.plusSeconds(3),
        Duration.ofSeconds(5),
        kind == PromotionKind.Failover ? 0L : null,
        kind);
  }

  private static UnitState stateWithEverything() {
    List<FailoverTimings> history = List.of(
        timings(4, PromotionKind.Drill, "Drill"),
        timings(3, PromotionKind.Switchover, "Requested"),
        timings(2, PromotionKind.Failover, "NodeNotReady"));
    Intent drill = new Intent(
        "kv-4", "kv-3", "n1", 5, "Drill", "drill asked", T, T, null, PromotionKind.Drill, 0L, null);
    return UnitState.initial()
        .withPrimary("kv-3")
        .withStandby("kv-4")
        .withEpoch(4)
        .withFailovers(1)
        .withSwitchovers(1)
        .withNextOrdinal(5)
        .withHistory(history)
        .withIntent(drill)
        .withAnswer(RequestAnswer.done(
            Requests.Kind.Switchover,
            "any@1",
            "switchover from kv-1 to kv-2 at epoch 3",
            T.plusSeconds(1)))
        .withAnswer(RequestAnswer.inProgress(
            Requests.Kind.Drill, "d2", "promoting kv-4 as if kv-3 had failed", T.plusSeconds(2)))
        .withAnswer(RequestAnswer.refused(
            Requests.Kind.Fence, "Bad_Name", "not a pod name", T.plusSeconds(3)));
  }

  private static OperationalUnitStatus map(OperationalUnit unit, UnitState s) {
    Decision d = new Decision(s, Phase.FailingOver, List.of(), List.of(), true, null);
    Observation o = new Observation(
        new dev.availability.ou.failover.UnitPolicy(
            "kv",
            dev.availability.ou.failover.UnitPolicy.Mode.Synchronous,
            true,
            Duration.ofSeconds(5),
            null,
            false,
            "h"),
        s,
        Map.of(),
        Map.of(),
        null,
        ServiceView.absent(),
        T);
    return StatusMapper.toStatus(unit, d, o, List.of(), T);
  }

  @Test
  void aConditionDatedByTheDeciderTransitionsThenAndKeepsThatDateWhileItsStatusHolds() {
    Instant lastHeard = T.minusSeconds(3);
    List<io.fabric8.kubernetes.api.model.Condition> serving = StatusMapper.conditions(
        List.of(),
        List.of(
            new ConditionView(ConditionType.Ready, true, ConditionReason.PrimaryServing, "serves")),
        1L,
        T.minusSeconds(60));
    ConditionView silent = new ConditionView(
            ConditionType.Ready, false, ConditionReason.MembersUnreachable, "both unreachable")
        .changedAt(lastHeard);

    var written = StatusMapper.conditions(serving, List.of(silent), 1L, T);
    assertThat(written.get(0).getLastTransitionTime()).isEqualTo(Times.format(lastHeard));
    var later = StatusMapper.conditions(
        written,
        List.of(new ConditionView(
            ConditionType.Ready, false, ConditionReason.NoHealthyStandby, "nodes NotReady")),
        1L,
        T.plusSeconds(10));
    assertThat(later.get(0).getLastTransitionTime()).isEqualTo(Times.format(lastHeard));
    // A date the decider gives that is not in the past is now.
    var ahead =
        StatusMapper.conditions(serving, List.of(silent.changedAt(T.plusSeconds(5))), 1L, T);
    assertThat(ahead.get(0).getLastTransitionTime()).isEqualTo(Times.format(T));
  }

  @Test
  void answersHistoryAndCountsAreWrittenAsTheApiDescribesThem() throws Exception {
    OperationalUnitStatus status = map(MemberPodBuilderTest.sample(), stateWithEverything());

    assertThat(status.getRequests())
        .extracting(RequestStatus::getKind)
        .as("one entry per kind, in the order of the kinds")
        .containsExactly(
            RequestStatus.Kind.Switchover, RequestStatus.Kind.Fence, RequestStatus.Kind.Drill);
    RequestStatus drill = status.getRequests().get(2);
    assertThat(drill.getValue()).isEqualTo("d2");
    assertThat(drill.getState()).isEqualTo(RequestStatus.State.InProgress);
    assertThat(drill.getMessage()).isEqualTo("promoting kv-4 as if kv-3 had failed");
    assertThat(drill.getUpdatedAt()).isEqualTo("2026-12-05T11:20:02.123Z");
    assertThat(status.getRequests().get(1).getState()).isEqualTo(RequestStatus.State.Refused);

    assertThat(status.getHistory())
        .extracting(FailoverRecord::getKind)
        .containsExactly(
            FailoverRecord.Kind.Drill,
            FailoverRecord.Kind.Switchover,
            FailoverRecord.Kind.Failover);
    assertThat(status.getHistory())
        .extracting(FailoverRecord::getEpoch)
        .containsExactly(4L, 3L, 2L);
    FailoverRecord newest = status.getHistory().get(0);
    assertThat(Serialization.asJson(status.getLastFailover()))
        .as("lastFailover is the newest entry")
        .isEqualTo(Serialization.asJson(newest));
    assertThat(newest.getTrafficSwitchedMillis())
        .as("RTO: fault to endpoints switched")
        .isEqualTo(900L);
    assertThat(newest.getWithinRecoveryBudget()).isTrue();
    assertThat(newest.getPlanned()).as("a drill is not planned").isNull();
    assertThat(status.getHistory().get(1).getPlanned()).isTrue();
    assertThat(status.getHistory().get(2).getUpdatesLost()).isZero();

    assertThat(status.getFailovers()).isEqualTo(1);
    assertThat(status.getSwitchovers()).isEqualTo(1);
    assertThat(status.getFailover().getKind()).isEqualTo(FailoverRecord.Kind.Drill);
    assertThat(status.getFailover().getPlanned()).isNull();
  }

  @Test
  void whatIsWrittenReadsBackAsTheSameStateSoARestartActsOnNoValueTwice() throws Exception {
    UnitState state = stateWithEverything();
    OperationalUnitStatus written = map(MemberPodBuilderTest.sample(), state);
    OperationalUnitStatus stored =
        Serialization.unmarshal(Serialization.asJson(written), OperationalUnitStatus.class);

    Readings readings = new Readings();
    UnitState read = ObservationBuilder.state(stored, readings, T.plusSeconds(600));

    assertThat(readings.malformed()).isEmpty();
    assertThat(read.answers()).isEqualTo(state.answers());
    assertThat(read.history()).isEqualTo(state.history());
    assertThat(read.intent()).isEqualTo(state.intent());
    assertThat(read).isEqualTo(state);
    assertThat(read.unanswered(Requests.Kind.Switchover, "any@1")).isFalse();
    assertThat(read.unanswered(Requests.Kind.Switchover, "any@2")).isTrue();
  }

  @Test
  void aStatusWrittenBeforeTheHistoryExistedReadsItsLastFailoverAsTheOnlyEntryOfItsKind()
      throws Exception {
    OperationalUnitStatus old = Serialization.unmarshal("""
        {"primary": {"pod": "kv-2"}, "epoch": 3, "failovers": 0,
         "lastFailover": {"formerPrimary": "kv-0", "newPrimary": "kv-2", "epoch": 3, "reason": "SpecChanged", "planned": true,
                          "faultObservedAt": "2026-12-05T11:20:00.123Z", "serviceSwitchedAt": "2026-12-05T11:20:00.500Z", "recoveryBudgetMillis": 5000}}
        """, OperationalUnitStatus.class);

    UnitState read = ObservationBuilder.state(old, new Readings(), T);

    assertThat(read.history()).singleElement().satisfies(t -> {
      assertThat(t.kind()).isEqualTo(PromotionKind.Switchover);
      assertThat(t.reason()).isEqualTo("SpecChanged");
      assertThat(t.epoch()).isEqualTo(3);
    });
    assertThat(read.answers()).isEmpty();
    assertThat(read.switchovers()).isZero();
  }

  @Test
  void theUnitsAnnotationsAreReadAsItsRequestsExactlyAsWritten() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getMetadata()
        .setAnnotations(Map.of(
            UnitAnnotations.SWITCHOVER_TO,
            "kv-1@2",
            UnitAnnotations.DRILL,
            "2026-12-05T11:20:00Z",
            UnitAnnotations.PAUSED,
            "true",
            UnitAnnotations.FENCED_MEMBERS,
            "kv-0, kv-1",
            "unrelated/annotation",
            "x"));

    Requests r = ObservationBuilder.requests(unit);

    assertThat(r).isEqualTo(new Requests("kv-1@2", "2026-12-05T11:20:00Z", "true", "kv-0, kv-1"));
    assertThat(ObservationBuilder.requests(MemberPodBuilderTest.sample())).isEqualTo(Requests.NONE);
    Observation o = new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), null, null, List.of(), T);
    assertThat(o.policy().requests()).as("carried to the decider by the policy").isEqualTo(r);
  }
}
