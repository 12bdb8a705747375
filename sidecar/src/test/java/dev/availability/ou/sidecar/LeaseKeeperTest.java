package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When the primary writes its lease (issue 17: one API write per unit per renewal kept one operator from carrying
 * a thousand units): a Synchronous primary whose caught-up standby confirms it stops writing after a lease duration
 * and serves on; it renews at once when the standby falls silent. An Asynchronous primary always renews.
 */
class LeaseKeeperTest extends ReplicaFixture {
  static final Duration LEASE = Duration.ofMillis(900);

  /** Counts renewals; always held. */
  static class CountingApi extends LeaseOnlyControl {
    final AtomicInteger renewals = new AtomicInteger();

    @Override
    public MemberChannel.Renewal renewLease(long epoch) {
      renewals.incrementAndGet();
      return new MemberChannel.Renewal(true, LEASE, "renewed");
    }
  }

  /** As a standby whose session started at the primary's last sequence, acknowledging what is written while {@code confirming}. */
  private void caughtUpStandby(AtomicBoolean confirming) {
    replica.acknowledgements().standbySessionStarting(replica.lastSeq());
    standbyAcknowledging(confirming);
  }

  /** One tick of the clock: the standby heard (while {@code confirming}), then the lease keeper's look. */
  private Runnable tick(LeaseKeeper lease, AtomicBoolean confirming) {
    return () -> {
      if (confirming.get()) replica.peerHeard();
      lease.renewOnce();
    };
  }

  @Test
  void
      aSynchronousPrimaryConfirmedByItsStandbyWritesNoLeaseAndRenewsAtOnceWhenTheStandbyFallsSilent()
          throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Synchronous", "OU_SYNC_TIMEOUT", "2s", "OU_HEARTBEAT_INTERVAL", "100ms");
    CountingApi api = new CountingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    caughtUpStandby(confirming);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 100)) {
      Runnable tick = tick(lease, confirming);
      clock.passUntil("serving", 5000, tick, replica::serving);
      // One lease duration of confirmation, then no more writes to the lease; the primary serves
      // on.
      clock.passUntil("confirmed", 5000, tick, () -> replica.confirmedByStandby());
      clock.pass(LEASE.toMillis() + 300, tick);
      int before = api.renewals.get();
      long end = clock.getAsLong() + 3 * LEASE.toNanos();
      int n = 0;
      while (clock.getAsLong() - end < 0) {
        assertThat(write(replica, "k" + n++).get(5, TimeUnit.SECONDS).status())
            .isEqualTo(LocalProtocol.OK);
        clock.pass(50, tick);
      }
      assertThat(api.renewals.get())
          .as("renewals over three lease durations while the standby confirms")
          .isEqualTo(before);

      confirming.set(false);
      clock.passUntil(
          "renewed once the standby fell silent", 1500, tick, () -> api.renewals.get() > before);
      assertThat(replica.serving()).as("on the renewed lease").isTrue();
    }
  }

  /**
   * The standby falls silent right after one of the keeper's looks (a shared standby busy taking another unit over):
   * the keeper, stepped at the pace it asks for, renews once the confirmation lapses, and that renewal, taking 60 ms
   * of a 100 ms heartbeat, lands before the failsafe's three heartbeats are over: the primary serves throughout. (It
   * looked every heartbeat, so it could see the lapse up to a heartbeat late, when the failsafe was over: the pool
   * drill's other units refused writes, "not serving", for as long as the renewal took.)
   */
  @Test
  void aConfirmedPrimaryWhoseStandbyFallsSilentRenewsInTimeToServeThroughout() throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Synchronous", "OU_SYNC_TIMEOUT", "2s", "OU_HEARTBEAT_INTERVAL", "100ms");
    java.util.List<Boolean> servingAtReplies = new java.util.ArrayList<>();
    CountingApi api = new CountingApi() {
      @Override
      public MemberChannel.Renewal renewLease(long epoch) {
        clock.advance(60); // the API server's round trip
        servingAtReplies.add(replica.serving());
        return super.renewLease(epoch);
      }
    };
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    caughtUpStandby(confirming);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 100)) {
      long[] nextLook = {clock.getAsLong()};
      long[] lastBeat = {clock.getAsLong()};
      boolean[] lookedJustNow = {false};
      AtomicBoolean lastBeatAfterALook = new AtomicBoolean();
      Runnable step = () -> {
        long now = clock.getAsLong();
        if (confirming.get() && now - lastBeat[0] >= 100_000_000L) {
          replica.peerHeard();
          lastBeat[0] = now;
        }
        if (lastBeatAfterALook.get() && lookedJustNow[0]) {
          replica.peerHeard(); // its last word, just after the look
          confirming.set(false);
          lastBeatAfterALook.set(false);
        }
        lookedJustNow[0] = now - nextLook[0] >= 0;
        if (lookedJustNow[0]) nextLook[0] = now + lease.renewOnce() * 1_000_000L;
      };
      clock.passUntil("confirmed", 5000, step, () -> replica.confirmedByStandby());
      clock.pass(LEASE.toMillis() + 300, step); // the lease lapses: serving on the failsafe
      assertThat(replica.failsafe()).as("serving on the standby's confirmation").isTrue();
      int before = api.renewals.get();

      lastBeatAfterALook.set(true);
      for (int i = 0; i < 200; i++) {
        clock.pass(ManualClock.TICK_MILLIS, step);
        assertThat(replica.serving())
            .as("serving %d ms after the silence began", i * 10)
            .isTrue();
      }
      assertThat(api.renewals.get())
          .as("renewed once the standby fell silent")
          .isGreaterThan(before);
      assertThat(servingAtReplies)
          .as("serving when each renewal's answer came")
          .doesNotContain(false);
    }
  }

  @Test
  void anAsynchronousPrimaryRenewsItsLeaseEvenWhileItsStandbyConfirms() throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Asynchronous", "OU_HEARTBEAT_INTERVAL", "100ms");
    CountingApi api = new CountingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    caughtUpStandby(confirming);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 100)) {
      Runnable tick = tick(lease, confirming);
      clock.passUntil("serving", 5000, tick, replica::serving);
      int before = api.renewals.get();
      clock.pass(3 * LEASE.toMillis(), tick);
      assertThat(replica.confirmedByStandby()).isFalse();
      assertThat(api.renewals.get() - before)
          .as("renewals over three lease durations (one each third)")
          .isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  void theConfirmationRuleNeedsAFreshCaughtUpStandbyOutsideAsynchronousModeAndALeaseNotTakenAway() {
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, true, 150, 100))
        .isTrue();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, true, 200, 100))
        .as("a heartbeat to spare")
        .isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.ASYNCHRONOUS, false, false, true, 0, 100))
        .isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, true, false, true, 0, 100))
        .as("acknowledging alone")
        .isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, true, true, 0, 100))
        .as("lease taken away")
        .isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, false, 0, 100))
        .as("still catching up")
        .isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.JOURNAL, false, false, true, 0, 100)).isTrue();
  }
}
