package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatchUpPlanTest {
  static final long E1 = Terms.of(1, 1);
  static final long E1B = Terms.of(1, 2);
  static final long E2 = Terms.of(2, 1);

  static TermHistory h(long... termSeq) {
    TermHistory h = new TermHistory();
    for (int i = 0; i < termSeq.length; i += 2) h.note(termSeq[i], termSeq[i + 1]);
    return h;
  }

  @Test
  void standbyThatWasDownResumesFromItsLastSequence() {
    CatchUpPlan p = CatchUpPlan.plan(1, 500, h(E1, 1), new Messages.Position(300, h(E1, 1)));
    assertThat(p).isEqualTo(new CatchUpPlan(CatchUpPlan.Kind.STREAM, 300, 301));
    assertThat(p.cutsTail(300)).isFalse();
  }

  @Test
  void oldPrimaryRejoiningCutsItsUnacknowledgedTail() {
    // The old primary wrote 1..120 at epoch 1; the standby held 1..100 and was promoted at epoch 2
    // (TERM_START at 101).
    TermHistory newPrimary = h(E1, 1, E2, 101);
    CatchUpPlan p = CatchUpPlan.plan(1, 150, newPrimary, new Messages.Position(120, h(E1, 1)));
    assertThat(p).isEqualTo(new CatchUpPlan(CatchUpPlan.Kind.STREAM, 100, 101));
    assertThat(p.cutsTail(120)).isTrue();
  }

  @Test
  void restartedPrimaryIncarnationMakesTheStandbysExtraEntriesDiverge() {
    // Same epoch, but the primary restarted (incarnation 2) after losing 91..95 that the standby
    // had received.
    TermHistory primary = h(E1, 1, E1B, 91);
    CatchUpPlan p = CatchUpPlan.plan(1, 97, primary, new Messages.Position(95, h(E1, 1)));
    assertThat(p.commonPrefix()).isEqualTo(90);
    // Issue 15 item 5: the records it cuts were written at the primary's own epoch, by its earlier
    // incarnation.
    assertThat(p.standbyHoldsRecordsThisPrimaryLost(1, new Messages.Position(95, h(E1, 1))))
        .isTrue();
  }

  @Test
  void anOldPrimarysTailFromAnEarlierEpochIsNotRecordsTheNewPrimaryLost() {
    TermHistory newPrimary = h(E1, 1, E2, 101);
    Messages.Position oldPrimary = new Messages.Position(120, h(E1, 1));
    assertThat(CatchUpPlan.plan(1, 150, newPrimary, oldPrimary)
            .standbyHoldsRecordsThisPrimaryLost(2, oldPrimary))
        .isFalse();
    Messages.Position behind = new Messages.Position(90, h(E1, 1));
    assertThat(CatchUpPlan.plan(1, 97, h(E1, 1, E1B, 91), behind)
            .standbyHoldsRecordsThisPrimaryLost(1, behind))
        .isFalse();
  }

  @Test
  void emptyStandbyStreamsFromTheStartWhileTheLogHoldsIt() {
    assertThat(CatchUpPlan.plan(1, 10, h(E1, 1), new Messages.Position(0, new TermHistory())))
        .isEqualTo(new CatchUpPlan(CatchUpPlan.Kind.STREAM, 0, 1));
  }

  @Test
  void snapshotWhenTheLogNoLongerHoldsWhatTheStandbyNeeds() {
    assertThat(CatchUpPlan.plan(200, 500, h(E1, 1), new Messages.Position(0, new TermHistory()))
            .kind())
        .isEqualTo(CatchUpPlan.Kind.SNAPSHOT);
    assertThat(CatchUpPlan.plan(200, 500, h(E1, 1), new Messages.Position(150, h(E1, 1)))
            .kind())
        .isEqualTo(CatchUpPlan.Kind.SNAPSHOT);
    assertThat(CatchUpPlan.plan(200, 500, h(E1, 1), new Messages.Position(199, h(E1, 1)))
            .kind())
        .isEqualTo(CatchUpPlan.Kind.STREAM);
  }

  @Test
  void commonPrefixStopsAtTheFirstDifferentTerm() {
    TermHistory a = h(E1, 1, E2, 50);
    TermHistory b = h(E1, 1, Terms.of(3, 1), 40);
    assertThat(a.commonPrefix(100, b, 100)).isEqualTo(39);
    assertThat(a.commonPrefix(30, b, 100)).isEqualTo(30);
    assertThat(a.commonPrefix(0, b, 100)).isZero();
  }
}
