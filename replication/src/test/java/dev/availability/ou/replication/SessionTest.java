package dev.availability.ou.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes();

  static final class View implements PrimarySession.LogView {
    long first = 1;
    long last = 10;
    TermHistory history = CatchUpPlanTest.h(Terms.of(2, 1), 1);

    @Override
    public long firstSeq() {
      return first;
    }

    @Override
    public long lastSeq() {
      return last;
    }

    @Override
    public TermHistory history() {
      return history;
    }
  }

  final View view = new View();

  PrimarySession primary(byte[] key, long epoch) {
    return new PrimarySession(new PeerAuth(key), epoch, "pod-a", view, PeerAuth.nonce());
  }

  StandbySession standby(byte[] key, long epoch, boolean isStandby, long last) {
    return new StandbySession(
        new PeerAuth(key),
        epoch,
        isStandby,
        () -> new Messages.Position(
            last, last == 0 ? new TermHistory() : CatchUpPlanTest.h(Terms.of(2, 1), 1)),
        Limits.DEFAULT,
        PeerAuth::nonce);
  }

  static Frame sent(List<SessionAction> actions) {
    return actions.stream()
        .filter(a -> a instanceof SessionAction.Send)
        .map(a -> ((SessionAction.Send) a).frame())
        .findFirst()
        .orElseThrow();
  }

  static <T> T only(List<SessionAction> actions, Class<T> type) {
    return actions.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + actions));
  }

  /** Runs the handshake up to the plan; returns the plan. */
  CatchUpPlan handshake(PrimarySession p, StandbySession s) {
    Frame challenge = sent(s.onFrame(p.hello()));
    Frame auth = sent(p.onFrame(challenge));
    Frame position = sent(s.onFrame(auth));
    return only(p.onFrame(position), SessionAction.PlanReady.class).plan();
  }

  @Test
  void handshakeStreamAndAcks() {
    PrimarySession p = primary(KEY, 2);
    StandbySession s = standby(KEY, 2, true, 4);
    CatchUpPlan plan = handshake(p, s);
    assertThat(plan).isEqualTo(new CatchUpPlan(CatchUpPlan.Kind.STREAM, 4, 5));
    List<SessionAction> started =
        s.onFrame(p.start(plan.kind(), plan.commonPrefix(), plan.fromSeq()));
    assertThat(only(started, SessionAction.Truncate.class).seq()).isEqualTo(4);
    assertThat(s.state()).isEqualTo(StandbySession.State.STREAMING);

    byte[] batch = SegmentLogTest.records(5, 7, Terms.of(2, 1));
    p.sent(7);
    SessionAction.Append append = only(s.onFrame(p.batch(5, batch)), SessionAction.Append.class);
    assertThat(append.records()).extracting(LogRecord::seq).containsExactly(5L, 6L, 7L);
    assertThat(only(p.onFrame(s.ack(7)), SessionAction.Acked.class).seq()).isEqualTo(7);
    assertThat(p.onFrame(s.ack(6))).isEmpty(); // old acks change nothing
    assertThat(only(s.onFrame(p.heartbeat(7, 7, 1)), SessionAction.PeerPosition.class)
            .lastSeq())
        .isEqualTo(7);
  }

  @Test
  void snapshotFlow() {
    view.first = 50;
    view.last = 60;
    PrimarySession p = primary(KEY, 2);
    StandbySession s = standby(KEY, 2, true, 0);
    CatchUpPlan plan = handshake(p, s);
    assertThat(plan.kind()).isEqualTo(CatchUpPlan.Kind.SNAPSHOT);
    s.onFrame(p.start(CatchUpPlan.Kind.SNAPSHOT, plan.commonPrefix(), 56));
    assertThat(s.state()).isEqualTo(StandbySession.State.SNAPSHOT);
    assertThat(only(
                s.onFrame(new Frame(
                    FrameType.SNAPSHOT_BEGIN, 2, 55, new Messages.SnapshotBegin(55, 6).encode())),
                SessionAction.SnapshotBegin.class)
            .seq())
        .isEqualTo(55);
    s.onFrame(new Frame(FrameType.SNAPSHOT_CHUNK, 2, 0, new byte[4]));
    // a batch in the middle of a snapshot is refused
    StandbySession s2 = standby(KEY, 2, true, 0);
    handshake(primary(KEY, 2), s2);
    only(
        s.onFrame(new Frame(FrameType.SNAPSHOT_CHUNK, 2, 4, new byte[2])),
        SessionAction.SnapshotChunk.class);
    SessionAction.SnapshotEnd end = only(
        s.onFrame(new Frame(FrameType.SNAPSHOT_END, 2, 0, new byte[] {0, 0, 0, 1})),
        SessionAction.SnapshotEnd.class);
    assertThat(end.seq()).isEqualTo(55);
    s.snapshotInstalled(55);
    assertThat(s.nextSeq()).isEqualTo(56);
    assertThat(only(
                s.onFrame(p.batch(56, SegmentLogTest.records(56, 56, Terms.of(2, 1)))),
                SessionAction.Append.class)
            .records())
        .hasSize(1);
  }

  @Test
  void snapshotLongerThanAnnouncedOrEndingEarlyIsRefused() {
    view.first = 50;
    StandbySession s = standby(KEY, 2, true, 0);
    PrimarySession p = primary(KEY, 2);
    handshake(p, s);
    s.onFrame(p.start(CatchUpPlan.Kind.SNAPSHOT, 0, 11));
    s.onFrame(
        new Frame(FrameType.SNAPSHOT_BEGIN, 2, 10, new Messages.SnapshotBegin(10, 3).encode()));
    assertThat(only(
                s.onFrame(new Frame(FrameType.SNAPSHOT_END, 2, 0, new byte[4])),
                SessionAction.Close.class)
            .reason())
        .isEqualTo(Refusal.TRUNCATED);
  }

  @Test
  void standbyRefusesAPrimaryWithAStaleEpoch() {
    StandbySession s = standby(KEY, 3, true, 0);
    List<SessionAction> actions = s.onFrame(primary(KEY, 2).hello());
    assertThat(only(actions, SessionAction.Close.class).reason()).isEqualTo(Refusal.STALE_EPOCH);
    assertThat(sent(actions).type()).isEqualTo(FrameType.REFUSE);
    assertThat(s.state()).isEqualTo(StandbySession.State.CLOSED);
  }

  @Test
  void primaryLearnsItWasDeposedFromARefusalAtANewerEpoch() {
    PrimarySession p = primary(KEY, 2);
    StandbySession s = standby(KEY, 3, true, 0);
    List<SessionAction> fromStandby = s.onFrame(p.hello());
    List<SessionAction> actions = p.onFrame(sent(fromStandby));
    assertThat(only(actions, SessionAction.Deposed.class).newerEpoch()).isEqualTo(3);
  }

  @Test
  void aNewerEpochClaimedWithoutProofEndsTheSessionButDeposesNoOne() {
    PrimarySession p = primary(KEY, 2);
    p.hello();
    Frame forged = new Frame(
        FrameType.REFUSE,
        3,
        0,
        new Messages.Refuse(Refusal.STALE_EPOCH, "you are deposed").encode());
    List<SessionAction> actions = p.onFrame(forged);
    assertThat(actions).noneMatch(a -> a instanceof SessionAction.Deposed);
    assertThat(only(actions, SessionAction.Close.class).reason()).isEqualTo(Refusal.STALE_EPOCH);

    PrimarySession q = primary(KEY, 2);
    Frame hello = q.hello();
    // A proof made with another key, or for another primary's nonce, is no proof either.
    StandbySession stranger = standby(OTHER_KEY, 3, true, 0);
    assertThat(q.onFrame(sent(stranger.onFrame(hello))))
        .noneMatch(a -> a instanceof SessionAction.Deposed);
    PrimarySession r = primary(KEY, 2);
    StandbySession other = standby(KEY, 3, true, 0);
    Frame refusalForQ = sent(other.onFrame(primary(KEY, 2).hello()));
    r.hello();
    assertThat(r.onFrame(refusalForQ)).noneMatch(a -> a instanceof SessionAction.Deposed);
  }

  @Test
  void aPrimaryOrFencedMemberRefusesToActAsStandby() {
    StandbySession notStandby = standby(KEY, 2, false, 0);
    assertThat(only(notStandby.onFrame(primary(KEY, 2).hello()), SessionAction.Close.class)
            .reason())
        .isEqualTo(Refusal.NOT_STANDBY);
  }

  @Test
  void newerEpochThanKnownIsRefusedAsUnknown() {
    assertThat(only(
                standby(KEY, 1, true, 0).onFrame(primary(KEY, 2).hello()),
                SessionAction.Close.class)
            .reason())
        .isEqualTo(Refusal.UNKNOWN_EPOCH);
  }

  @Test
  void strangerWithoutTheKeyCannotFeedTheStandby() {
    PrimarySession stranger = primary(OTHER_KEY, 2);
    StandbySession s = standby(KEY, 2, true, 0);
    Frame challenge = sent(s.onFrame(stranger.hello()));
    // the stranger sees the standby's proof does not match its key and gives up ...
    assertThat(only(stranger.onFrame(challenge), SessionAction.Close.class).reason())
        .isEqualTo(Refusal.BAD_AUTH);
    // ... and a forged AUTH is refused by the standby
    Frame forged = new Frame(FrameType.AUTH, 2, 0, new byte[Messages.MAC_BYTES]);
    assertThat(only(s.onFrame(forged), SessionAction.Close.class).reason())
        .isEqualTo(Refusal.BAD_AUTH);
  }

  @Test
  void strangerWithoutTheKeyCannotReadTheStream() {
    PrimarySession p = primary(KEY, 2);
    StandbySession stranger = standby(OTHER_KEY, 2, true, 0);
    List<SessionAction> actions = p.onFrame(sent(stranger.onFrame(p.hello())));
    assertThat(only(actions, SessionAction.Close.class).reason()).isEqualTo(Refusal.BAD_AUTH);
    assertThat(p.state()).isEqualTo(PrimarySession.State.CLOSED);
  }

  /**
   * Make-before-break's handover: the primary drops the standby (DROPPED); the frames the standby sent before it read
   * that are ignored, and its echo of DROPPED tells the primary it was heard.
   */
  @Test
  void aDroppedStandbysEchoReachesTheClosedPrimarySessionAndFramesInFlightAreIgnored() {
    PrimarySession p = primary(KEY, 2);
    StandbySession s = standby(KEY, 2, true, 10);
    handshake(p, s);
    p.start(CatchUpPlan.Kind.STREAM, 10, 11);
    Frame inFlight = s.heartbeat(10, 10, 0);
    Frame dropped = sent(p.refuse(Refusal.DROPPED, "another standby now"));
    assertThat(p.onFrame(inFlight)).as("sent before the standby read DROPPED").isEmpty();

    List<SessionAction> heard = s.onFrame(dropped);
    assertThat(heard.getLast())
        .as("the echo goes before the session ends")
        .isInstanceOf(SessionAction.Close.class);
    assertThat(only(heard, SessionAction.Close.class).reason()).isEqualTo(Refusal.DROPPED);
    assertThat(only(p.onFrame(sent(heard)), SessionAction.Close.class).reason())
        .isEqualTo(Refusal.DROPPED);
  }

  @Test
  void framesBeforeAuthenticationAreRefusedAndNothingApplied() {
    StandbySession s = standby(KEY, 2, true, 0);
    List<SessionAction> actions =
        s.onFrame(new Frame(FrameType.BATCH, 2, 1, SegmentLogTest.records(1, 1, Terms.of(2, 1))));
    assertThat(actions).noneMatch(a -> a instanceof SessionAction.Append);
    assertThat(only(actions, SessionAction.Close.class).reason())
        .isEqualTo(Refusal.UNEXPECTED_FRAME);
  }

  @Test
  void streamRefusesGapsDamagedRecordsStaleFramesAndEarlyAcks() {
    for (int kind = 0; kind < 4; kind++) {
      PrimarySession p = primary(KEY, 2);
      StandbySession s = standby(KEY, 2, true, 0);
      CatchUpPlan plan = handshake(p, s);
      s.onFrame(p.start(plan.kind(), plan.commonPrefix(), plan.fromSeq()));
      List<SessionAction> actions;
      Refusal expected;
      switch (kind) {
        case 0 -> {
          actions = s.onFrame(p.batch(3, SegmentLogTest.records(3, 4, Terms.of(2, 1))));
          expected = Refusal.SEQUENCE_GAP;
        }
        case 1 -> {
          byte[] b = SegmentLogTest.records(1, 2, Terms.of(2, 1));
          b[b.length - 2] ^= 1;
          actions = s.onFrame(p.batch(1, b));
          expected = Refusal.BAD_CHECKSUM;
        }
        case 2 -> {
          actions = s.onFrame(
              new Frame(FrameType.BATCH, 1, 1, SegmentLogTest.records(1, 1, Terms.of(1, 1))));
          expected = Refusal.STALE_EPOCH;
        }
        default -> {
          actions = p.onFrame(s.ack(5));
          expected = Refusal.SEQUENCE_GAP;
        }
      }
      assertThat(actions)
          .noneMatch(a -> a instanceof SessionAction.Append || a instanceof SessionAction.Acked);
      assertThat(only(actions, SessionAction.Close.class).reason())
          .as("case " + kind)
          .isEqualTo(expected);
    }
  }

  @Test
  void recordsFromAFutureEpochInsideABatchAreRefused() {
    PrimarySession p = primary(KEY, 2);
    StandbySession s = standby(KEY, 2, true, 0);
    CatchUpPlan plan = handshake(p, s);
    s.onFrame(p.start(plan.kind(), plan.commonPrefix(), plan.fromSeq()));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        LogRecord.put(1, Terms.of(9, 1), "k".getBytes(), "v".getBytes()).encode());
    List<SessionAction> actions = new ArrayList<>(s.onFrame(p.batch(1, b.toByteArray())));
    assertThat(only(actions, SessionAction.Close.class).reason()).isEqualTo(Refusal.MALFORMED);
  }
}
