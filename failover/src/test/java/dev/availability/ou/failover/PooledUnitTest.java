package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.pool.PoolSeat;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A unit whose standby is a standby pool's shared pod (docs/pools.md): the unit makes only its primary,
 * never creates, replaces or deletes the pool's pods, is taken over by the shared pod, and is not promoted
 * onto a shared pod another unit has taken over.
 */
class PooledUnitTest {
  static final String SHARED = "kv-standby-0";

  static PoolSeat seat(String standby, Map<String, String> claims, String... pods) {
    return new PoolSeat("kv", true, standby, Set.of(pods), claims);
  }

  /** A pooled unit Protected by the shared pod {@link #SHARED}. */
  static World pooled() {
    World w = World.threeNodes();
    w.pool = seat(null, Map.of());
    w.settle();
    w.addSharedPod(SHARED);
    w.pool = seat(SHARED, Map.of(), SHARED);
    return w.runUntil(Phase.Protected, Duration.ofSeconds(5));
  }

  @Test
  void aPooledUnitMakesOnlyItsPrimaryAndTheSharedPodBecomesItsStandby() {
    World w = pooled();
    assertThat(w.actions())
        .filteredOn(a -> a instanceof CreateMember)
        .extracting(a -> ((CreateMember) a).pod())
        .containsExactly("db-0");
    assertThat(w.status.standby()).isEqualTo(SHARED);
    assertThat(w.pod(SHARED).role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod(SHARED).peer).isEqualTo("db-0");
  }

  @Test
  void theSharedPodTakesOverAFailedPrimaryAndTheUnitWaitsForThePoolsNextStandby() {
    World w = pooled();
    int mark = w.mark();
    w.killNode(w.primary().node);
    w.run(Duration.ofSeconds(3));
    assertThat(w.status.primary()).isEqualTo(SHARED);
    assertThat(w.lostAtPromotion).containsOnly(0L);
    assertThat(w.actionsSince(mark))
        .as("the unit never makes a standby of its own")
        .noneMatch(a -> a instanceof CreateMember);

    // The pool sees the claim and makes its next standby; the unit takes it as its standby.
    w.addSharedPod("kv-standby-1");
    w.pool = seat("kv-standby-1", Map.of(SHARED, "db"), SHARED, "kv-standby-1");
    w.runUntil(Phase.Protected, Duration.ofSeconds(10));
    assertThat(w.status.standby()).isEqualTo("kv-standby-1");
    assertThat(w.pod("kv-standby-1").peer).isEqualTo(SHARED);
    assertThat(w.actionsSince(mark))
        .as("the former primary goes; the pool's pods stay")
        .filteredOn(a -> a instanceof DeleteMember)
        .extracting(a -> ((DeleteMember) a).pod())
        .containsOnly("db-0");
  }

  /**
   * Another unit took the shared pod over; the pool's new standby catches up with this unit while the taken pod
   * still holds it in sync (PoolSeat's nextStandby): the primary streams to both, acknowledging through the taken
   * pod, and the unit stays Protected; once the new one holds it, it alone is the primary's peer.
   */
  @Test
  void theTakenPodStaysThePeerWhileThePoolsNewStandbyCatchesUpAsTheNextPeer() {
    World w = pooled();
    w.addSharedPod("kv-standby-1");
    w.pool = new PoolSeat(
        "kv",
        true,
        SHARED,
        Set.of(SHARED, "kv-standby-1"),
        Map.of(SHARED, "other"),
        "kv-standby-1");
    w.run(Duration.ofSeconds(3));
    assertThat(w.primary().peer).isEqualTo(SHARED);
    assertThat(w.primary().nextPeer).isEqualTo("kv-standby-1");
    assertThat(w.pod("kv-standby-1").role).isEqualTo(Member.Role.Standby);
    assertThat(w.pod("kv-standby-1").peer).isEqualTo(w.primary().name);
    assertThat(w.status.standby()).isEqualTo(SHARED);
    assertThat(w.lastPhase())
        .as("protected by the taken pod throughout")
        .isEqualTo(Phase.Protected);

    w.pool = seat("kv-standby-1", Map.of(SHARED, "other"), SHARED, "kv-standby-1");
    w.runUntil(Phase.Protected, Duration.ofSeconds(5));
    w.run(Duration.ofSeconds(1));
    assertThat(w.primary().peer).isEqualTo("kv-standby-1");
    assertThat(w.primary().nextPeer).isNull();
    assertThat(w.status.standby()).isEqualTo("kv-standby-1");
  }

  @Test
  void aSharedPodAnotherUnitTookOverIsNotPromotedForThisOne() {
    World w = pooled();
    w.pool = seat(null, Map.of(SHARED, "other"), SHARED);
    int mark = w.mark();
    w.killNode(w.primary().node);
    w.run(Duration.ofSeconds(3));
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.condition(ConditionType.Ready).reason())
        .as(w.toString())
        .isEqualTo(ConditionReason.PoolStandbyBusy.name());
    assertThat(w.condition(ConditionType.Ready).message()).contains("serves unit other");
    assertThat(w.actionsSince(mark))
        .as("a Warning naming the unit that claimed the shared pod")
        .filteredOn(a -> a instanceof Action.Emit e && e.reason() == EventReason.PoolStandbyBusy)
        .isNotEmpty()
        .allMatch(a -> ((Action.Emit) a).warning()
            && ((Action.Emit) a).message().contains("serves unit other"));
    assertThat(w.actionsSince(mark)).noneMatch(a -> a instanceof CreateMember);
  }

  @Test
  void aFailedSharedPodIsLeftToThePool() {
    World w = pooled();
    int mark = w.mark();
    w.appTerminated(SHARED);
    w.run(Duration.ofSeconds(3));
    assertThat(w.actionsSince(mark))
        .noneMatch(a -> a instanceof CreateMember || a instanceof DeleteMember);
    assertThat(w.lastPhase()).isNotEqualTo(Phase.Protected);
  }

  @Test
  void aUnitThatJoinsAPoolDropsItsOwnStandbyOnceTheSharedPodHoldsIt() {
    World w = World.threeNodes().bootstrap();
    String own = w.status.standby();
    int mark = w.mark();
    w.addSharedPod(SHARED);
    w.pool = seat(SHARED, Map.of(), SHARED);
    w.runUntil(Phase.Protected, Duration.ofSeconds(5));
    w.run(Duration.ofSeconds(1));
    assertThat(w.status.standby()).isEqualTo(SHARED);
    assertThat(w.actionsSince(mark))
        .filteredOn(a -> a instanceof DeleteMember)
        .extracting(a -> ((DeleteMember) a).pod())
        .containsOnly(own);
  }

  @Test
  void aPrimaryAndTheSharedPodLostTogetherPromoteNothingAndSaySo() {
    World w = pooled();
    int mark = w.mark();
    String sharedNode = w.pod(SHARED).node;
    w.killNode(w.primary().node);
    w.killNode(sharedNode);
    w.run(Duration.ofSeconds(20));
    assertThat(w.status.primary()).as(w.toString()).isEqualTo("db-0");
    assertThat(w.actionsSince(mark))
        .as("never assigned Primary on a pod of a lost node")
        .noneMatch(a -> a instanceof Action.Assign as
            && as.pod().equals(SHARED)
            && as.role() == Member.Role.Primary);
    assertThat(w.condition(ConditionType.Ready).status()).isFalse();
    assertThat(w.condition(ConditionType.Ready).message()).as(w.toString()).contains(sharedNode);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 20, 39, 41, 60})
  void theSharedPodsNodeLostFirstThenThePrimarysIsNeverPromotedOnto(int secondsApart) {
    World w = pooled();
    int mark = w.mark();
    String sharedNode = w.pod(SHARED).node;
    w.killNode(sharedNode);
    w.run(Duration.ofSeconds(secondsApart));
    w.killNode(w.primary().node);
    w.run(Duration.ofSeconds(90));
    assertThat(w.actionsSince(mark))
        .as("never assigned Primary on a pod of a lost node")
        .noneMatch(a -> a instanceof Action.Assign as
            && as.pod().equals(SHARED)
            && as.role() == Member.Role.Primary);
  }

  @Test
  void aSharedPodWhoseNodeLeaseExpiredIsNotPromotedOntoForThePoolReplacesIt() {
    World w = pooled();
    int mark = w.mark();
    String sharedNode = w.pod(SHARED).node;
    w.node(sharedNode).kubeletStalled = true;
    w.run(World.NODE_LEASE.plusSeconds(1));
    w.killNode(w.primary().node);
    w.run(Duration.ofSeconds(10));
    assertThat(w.actionsSince(mark))
        .as("never assigned Primary on a pod the pool counts lost: " + w)
        .noneMatch(a -> a instanceof Action.Assign as
            && as.pod().equals(SHARED)
            && as.role() == Member.Role.Primary);
    assertThat(w.condition(ConditionType.Ready).message())
        .as(w.toString())
        .contains("node " + sharedNode + " of the shared standby " + SHARED
            + " stopped renewing its lease");
  }

  @Test
  void aUnitWhosePrimaryAndSharedPodAreLostNamesThePoolsNewStandbyThatCannotCatchUp() {
    World w = pooled();
    String sharedNode = w.pod(SHARED).node;
    w.killNode(w.primary().node);
    w.killNode(sharedNode);
    w.run(World.NODE_GRACE.plusSeconds(5));
    // The pool deleted the lost pod and made the next; it holds the unit, not yet assigned to it.
    w.pods.remove(SHARED);
    World.Pod next = w.addSharedPod("kv-standby-1");
    next.role = null;
    next.peer = null;
    w.pool = seat("kv-standby-1", Map.of(), "kv-standby-1");
    w.run(Duration.ofSeconds(5));
    assertThat(w.status.primary()).isEqualTo("db-0");
    assertThat(w.condition(ConditionType.Ready).message())
        .as(w.toString())
        .contains("standby " + SHARED + " is gone")
        .contains(
            "pool kv's new shared standby kv-standby-1 holds this unit but has not caught up");
  }
}
