package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Make-before-break in the primary's acknowledgements: a next peer's acknowledgement counts only once it caught up,
 * and from then on every write waits for it too; the next peer becomes the peer only once it caught up in the
 * primary's own view, keeping what it acknowledged.
 */
class NextPeerAcknowledgementsTest extends ReplicaFixture {
  static final String B = "b:7480";
  static final String C = "c:7480";

  WriteAcknowledgements acks() {
    return replica.acknowledgements();
  }

  /** Writes {@code key} and waits until it is durable here: what is missing then is a standby's acknowledgement. */
  CompletableFuture<Outcome> durableWrite(String key) throws Exception {
    CompletableFuture<Outcome> f = write(replica, key);
    writer.drain();
    return f;
  }

  void primaryStreamingTo(String peer, String next) throws Exception {
    replica.assign(Role.Primary, 1, peer, next, Mode.SYNCHRONOUS, "test");
  }

  /** Assigned peer B and next peer C; B's session streams from where this primary is. Returns B's progress. */
  StandbyAcks peerInSyncWithNextPeer() throws Exception {
    primaryStreamingTo(B, C);
    StandbyAcks b = acks().standbyFor(B);
    acks().sessionStarting(b, replica.lastSeq());
    b.sessionStarted(replica.lastSeq());
    return b;
  }

  @Test
  void aCatchingUpNextPeerHoldsNoWriteBackThenEveryWriteWaitsForItOnceItCaughtUp()
      throws Exception {
    open();
    StandbyAcks b = peerInSyncWithNextPeer();
    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(0); // streaming its catch-up from the log

    CompletableFuture<Outcome> whileCatchingUp = durableWrite("catching-up");
    b.acked(replica.lastSeq());
    assertThat(whileCatchingUp.get(5, TimeUnit.SECONDS).status())
        .as("acknowledged through the peer while the next peer catches up")
        .isEqualTo(LocalProtocol.OK);

    long target = acks().requireNext(c);
    assertThat(target).isEqualTo(writer.durableSeq());
    assertThat(acks().nextCaughtUp(C)).isFalse();
    CompletableFuture<Outcome> afterCaughtUp = durableWrite("after");
    b.acked(replica.lastSeq());
    assertThat(afterCaughtUp)
        .as("held by the peer but not yet by the caught-up next peer")
        .isNotDone();
    c.acked(replica.lastSeq());
    assertThat(afterCaughtUp.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    assertThat(acks().nextCaughtUp(C)).isTrue();

    // Its session ends: it still calls itself in sync (its stream ended holding every acknowledged
    // write), so nothing is acknowledged without it, as with an unreachable peer.
    c.disconnected();
    CompletableFuture<Outcome> nextGone = durableWrite("next-gone");
    b.acked(replica.lastSeq());
    assertThat(nextGone)
        .as("not acknowledged through the peer alone while the caught-up next peer is unreachable")
        .isNotDone();
    c.sessionStarted(replica.lastSeq() - 1); // back: it holds what it acknowledged
    assertThat(nextGone).isNotDone();
    c.acked(replica.lastSeq());
    assertThat(nextGone.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
  }

  @Test
  void anUnreachableNextPeerIsWaitedForUntilTheAssignmentDropsIt() throws Exception {
    open();
    StandbyAcks b = peerInSyncWithNextPeer();
    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(replica.lastSeq());
    c.acked(acks().requireNext(c));
    c.disconnected();

    CompletableFuture<Outcome> waiting = durableWrite("waiting");
    b.acked(replica.lastSeq());
    assertThat(waiting).isNotDone();
    primaryStreamingTo(B, null); // the operator drops it (its retired link tells it DROPPED)
    acks().progress();
    assertThat(waiting.get(5, TimeUnit.SECONDS).status())
        .as("acknowledged through the peer alone once the next peer is no longer assigned")
        .isEqualTo(LocalProtocol.OK);
  }

  @Test
  void theNextPeerBecomesThePeerOnlyOnceItCaughtUpInThePrimarysOwnView() throws Exception {
    open("OU_DATA_DURABILITY", "preferred");
    StandbyAcks b = peerInSyncWithNextPeer();

    // The operator makes it the peer before the primary saw it catch up: held back, the old peer
    // kept.
    primaryStreamingTo(C, null);
    assertThat(replica.peerEndpoint()).isEqualTo(B);
    assertThat(replica.nextPeerEndpoint()).isEqualTo(C);
    CompletableFuture<Outcome> heldBack = durableWrite("held-back");
    b.acked(replica.lastSeq());
    assertThat(heldBack.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    replica.completeHandover();
    assertThat(replica.peerEndpoint()).as("not caught up yet").isEqualTo(B);

    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(0);
    long target = acks().requireNext(c);
    c.acked(target);
    replica.completeHandover();
    assertThat(replica.peerEndpoint()).isEqualTo(C);
    assertThat(replica.nextPeerEndpoint()).isNull();
    assertThat(acks().standbyFor(B)).as("the old peer is dropped").isNull();
    assertThat(acks().standbyFor(C)).as("it keeps what it acknowledged").isSameAs(c);
    assertThat(acks().standbyAckedSeq()).isEqualTo(target);
    assertThat(replica.acknowledgingAlone())
        .as("a handover is no replaced standby: nothing is acknowledged alone")
        .isFalse();

    CompletableFuture<Outcome> afterHandover = durableWrite("after-handover");
    b.acked(replica.lastSeq()); // the dropped peer's word counts no more
    assertThat(afterHandover).isNotDone();
    c.acked(replica.lastSeq());
    assertThat(afterHandover.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
  }

  @Test
  void aNewRoleStartsTheStandbysFromNothing() throws Exception {
    open();
    primaryStreamingTo(B, C);
    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(0);
    acks().requireNext(c);
    replica.assign(Role.Primary, 2, B, C, Mode.SYNCHRONOUS, "promoted again");
    assertThat(acks().standbyFor(C)).isNotSameAs(c);
    assertThat(acks().nextCaughtUp(C)).isFalse();
  }

  /**
   * The pool may take the unit from the old peer's pod a moment before the assignment makes the caught-up next peer
   * the peer: that next peer, which every write waits for, still confirms the primary (the pool drill refused two
   * writes at that moment while the new pod acknowledged every one).
   */
  @Test
  void aCaughtUpNextPeerConfirmsThePrimaryWhenThePeersSessionEnds() throws Exception {
    open();
    StandbyAcks b = peerInSyncWithNextPeer();
    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(0);
    b.disconnected();
    assertThat(acks().confirmingStandbyConnected())
        .as("a next peer still catching up confirms nothing")
        .isFalse();

    b.sessionStarted(replica.lastSeq());
    acks().requireNext(c);
    durableWrite("caught-up");
    b.acked(replica.lastSeq());
    c.acked(replica.lastSeq());
    assertThat(acks().nextCaughtUp(C)).isTrue();
    b.disconnected();
    assertThat(acks().standbyConnected()).as("the peer's own session").isFalse();
    assertThat(acks().confirmingStandbyConnected())
        .as("the caught-up next peer every write waits for")
        .isTrue();
    assertThat(acks().confirms(c)).as("its heartbeats keep the failsafe").isTrue();
    assertThat(acks().confirms(b)).as("as the peer's do").isTrue();
  }

  @Test
  void aCatchingUpNextPeersHeartbeatsConfirmNothing() throws Exception {
    open();
    StandbyAcks b = peerInSyncWithNextPeer();
    StandbyAcks c = acks().standbyFor(C);
    c.sessionStarted(0);
    assertThat(acks().confirms(b)).isTrue();
    assertThat(acks().confirms(c)).as("still catching up").isFalse();
    durableWrite("before");
    b.acked(replica.lastSeq());
    acks().requireNext(c);
    assertThat(acks().confirms(c)).as("required, not caught up yet").isFalse();
    c.acked(replica.lastSeq());
    assertThat(acks().confirms(c)).as("caught up").isTrue();
  }
}
