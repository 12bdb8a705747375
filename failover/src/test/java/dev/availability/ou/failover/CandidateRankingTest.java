package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.CandidateRanking.Candidate;
import dev.availability.ou.failover.Member.PodPhase;
import dev.availability.ou.failover.Member.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who is promoted, and in what order candidates rank. */
class CandidateRankingTest {
  private final CandidateRanking ranking = new CandidateRanking();
  private World w;

  @BeforeEach
  void protectedUnit() {
    w = World.threeNodes().bootstrap();
  }

  private static Candidate candidate(String pod, long ordinal, boolean inSync, long seq, Long lag) {
    Member m = new Member(
        pod,
        ordinal,
        "n",
        Role.Standby,
        1,
        "p",
        PodPhase.Running,
        true,
        null,
        null,
        null,
        false,
        null,
        null,
        null,
        null);
    return new Candidate(
        m,
        new StandbyAssessment(
            inSync ? StandbyAssessment.State.InSync : StandbyAssessment.State.CatchingUp,
            inSync,
            lag,
            seq,
            ""));
  }

  /** Another standby beside db-1 (as a shared or a leftover standby would be). */
  private World.Pod extraStandby(
      String name, long ordinal, String node, boolean inSync, long seq, Long lag) {
    World.Pod p = new World.Pod(name, ordinal);
    p.node = node;
    p.role = Role.Standby;
    p.epoch = 1;
    p.peer = "db-0";
    p.phase = PodPhase.Running;
    p.ready = inSync;
    p.reported = true;
    p.manualReport = true;
    p.reportRole = Role.Standby;
    p.reportEpoch = 1;
    p.seq = seq;
    p.lag = lag;
    p.inSync = inSync;
    w.pods.put(name, p);
    return p;
  }

  @Test
  void candidatesRankInSyncFirstThenMostDurableThenLeastLagThenNewest() {
    List<Candidate> all = new ArrayList<>(List.of(
        candidate("lagging-unknown", 1, false, 50, null),
        candidate("lagging", 2, false, 50, 3L),
        candidate("behind", 3, false, 40, 1L),
        candidate("in-sync-old", 4, true, 60, 0L),
        candidate("in-sync-new", 5, true, 60, 0L),
        candidate("in-sync-ahead", 6, true, 70, 0L)));
    java.util.Collections.shuffle(all, new java.util.Random(7));

    all.sort(CandidateRanking.BEST_FIRST);

    assertThat(all)
        .extracting(c -> c.member().pod())
        .containsExactly(
            "in-sync-ahead", "in-sync-new", "in-sync-old", "lagging", "lagging-unknown", "behind");
  }

  @Test
  void theBestOfSeveralStandbysIsChosen() {
    w.standby().manualReport = true;
    w.standby().seq = 10;
    extraStandby("db-5", 5, "node-c", true, 12, 0L);

    CandidateRanking.Choice c = ranking.choose(w.observe());

    assertThat(c.found()).isTrue();
    assertThat(c.member().pod()).isEqualTo("db-5");
  }

  @Test
  void onlyHealthyMembersAssignedStandbyAreCandidates() {
    extraStandby("db-5", 5, "node-c", true, 99, 0L).role = Role.Fenced;
    extraStandby("db-6", 6, "node-c", true, 99, 0L).role = null;
    World.Pod failed = extraStandby("db-7", 7, "node-c", true, 99, 0L);
    failed.phase = PodPhase.Failed;
    World.Pod starting = extraStandby("db-8", 8, null, false, 99, null);
    starting.phase = PodPhase.Pending;
    World.Pod stray = extraStandby("db-9", 9, "node-c", true, 99, 0L);
    stray.role = Role.Primary; // an old primary that looks ready is no candidate

    CandidateRanking.Choice c = ranking.choose(w.observe());

    assertThat(c.member().pod()).isEqualTo("db-1");
  }

  @Test
  void thePrimaryItselfIsNeverACandidate() {
    w.primary().role = Role.Standby;
    w.removePod("db-1");

    CandidateRanking.Choice c = ranking.choose(w.observe());

    assertThat(c.found()).isFalse();
    assertThat(c.blockedReason().name()).isEqualTo("NoHealthyStandby");
    assertThat(c.blockedMessage()).contains("standby db-1 is gone");
  }

  @Test
  void aUnitWithoutAStandbySaysSo() {
    w.removePod("db-1");
    w.status = w.status.withStandby(null);

    CandidateRanking.Choice c = ranking.choose(w.observe());

    assertThat(c.blockedMessage()).contains("the unit has no standby");
  }

  @Test
  void aFailedStandbyIsExplainedInTheBlockedMessage() {
    w.evict("db-1");

    CandidateRanking.Choice c = ranking.choose(w.observe());

    assertThat(c.blockedReason().name()).isEqualTo("NoHealthyStandby");
    assertThat(c.blockedMessage()).contains("standby db-1 stopped");
  }

  @Test
  void inSynchronousModeAnInSyncCandidateBeatsAMoreDurableStaleOne() {
    extraStandby("db-5", 5, "node-c", false, 1000, 5L);

    assertThat(ranking.choose(w.observe()).member().pod()).isEqualTo("db-1");
  }

  @Test
  void beforeItsSidecarReportsTheStandbysReadinessSaysWhetherItIsInSync() {
    w.standby().reported = false;
    w.standby().ready = false;
    assertThat(StandbyAssessment.of(w.standby().view(), w.observe()).state())
        .isEqualTo(StandbyAssessment.State.CatchingUp);
    w.standby().ready = true;
    assertThat(StandbyAssessment.of(w.standby().view(), w.observe()).inSync()).isTrue();
  }

  @Test
  void aStandbyWhoseSidecarHasNotConfirmedTheUnitsEpochIsNoCandidateHoweverReadyItLooks() {
    w.standby().reportEpoch = 0; // its sidecar went silent before confirming epoch 1
    w.standby().ready = true;

    assertThat(StandbyAssessment.of(w.standby().view(), w.observe()).state())
        .isEqualTo(StandbyAssessment.State.Starting);
    assertThat(ranking.choose(w.observe()).found()).isFalse();
  }
}
