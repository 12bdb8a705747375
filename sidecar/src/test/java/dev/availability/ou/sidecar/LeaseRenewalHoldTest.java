package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: a Synchronous primary whose standby was heard late (a shared standby busy taking another unit over)
 * holds writes while the renewal it then sends is in flight, instead of refusing them "primary lease not renewed in
 * time"; they are acknowledged once the renewal answers, or refused as before when it answers that the lease is
 * someone else's, when it fails, or when it takes longer than a lease duration.
 */
class LeaseRenewalHoldTest extends ReplicaFixture {
  static final Duration LEASE = Duration.ofMillis(900);

  /** An API server whose renewals, once {@code slow}, wait for the test's answer. */
  static final class SlowApi extends LeaseOnlyControl {
    final AtomicBoolean slow = new AtomicBoolean();
    final SynchronousQueue<MemberChannel.Renewal> answers = new SynchronousQueue<>();

    @Override
    public MemberChannel.Renewal renewLease(long epoch) {
      if (!slow.get()) return new MemberChannel.Renewal(true, LEASE, "renewed");
      try {
        return answers.take();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  ManualClock clock;
  SlowApi api;
  LeaseKeeper keeper;
  AtomicBoolean standbyAcks = new AtomicBoolean(true);
  Thread renewal;

  /**
   * A Synchronous primary serving on its lease with a connected standby; then the standby falls quiet (it does not
   * acknowledge {@code waiting}, written first) past the lease and the failsafe's three heartbeats, and the renewal the
   * keeper sends is in flight (slow).
   */
  private CompletableFuture<Outcome> lapseWithRenewalInFlight(String mode) throws Exception {
    clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", mode, "OU_SYNC_TIMEOUT", "5s", "OU_HEARTBEAT_INTERVAL", "100ms");
    api = new SlowApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    replica.acknowledgements().standbySessionStarting(replica.lastSeq());
    standbyAcknowledging(standbyAcks);
    keeper = LeaseKeeper.steppedByCaller(api, replica, 300, 100);
    clock.passUntil("serving", 5000, keeper::renewOnce, replica::serving);
    standbyAcks.set(false);
    CompletableFuture<Outcome> waiting = write(replica, "waiting");
    clock.advance(LEASE.toMillis()); // the lease and the standby's last heartbeats are over
    api.slow.set(true);
    renewal = new Thread(keeper::renewOnce, "renewal");
    renewal.start();
    while (renewal.getState() != Thread.State.WAITING) Thread.sleep(1);
    replica.checkServing("test");
    assertThat(replica.serving()).as("serving on a lapsed lease").isFalse();
    return waiting;
  }

  private void answer(MemberChannel.Renewal r) throws Exception {
    api.answers.put(r);
    renewal.join(5000);
    keeper.close();
  }

  @Test
  void writesWaitForTheRenewalInFlightAndAreAcknowledgedInOrderOnceItAnswers() throws Exception {
    CompletableFuture<Outcome> waiting = lapseWithRenewalInFlight("Synchronous");
    List<CompletableFuture<Outcome>> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(write(replica, "held" + i));
      clock.advance(50);
      replica.checkServing("tick");
    }
    assertThat(waiting)
        .as("waiting for the standby at the lapse: not failed by it")
        .isNotDone();
    assertThat(held).as("held, not refused").noneMatch(CompletableFuture::isDone);
    assertThat(replica.view("").serving())
        .as("the application is told it does not serve: no reads while writes are held")
        .isFalse();

    standbyAcks.set(true);
    answer(new MemberChannel.Renewal(true, LEASE, "renewed"));
    long seq = waiting.get(5, TimeUnit.SECONDS).seq();
    assertThat(waiting.get().status()).isEqualTo(LocalProtocol.OK);
    for (CompletableFuture<Outcome> f : held) {
      Outcome o = f.get(5, TimeUnit.SECONDS);
      assertThat(o.status()).as("held write: %s", o.message()).isEqualTo(LocalProtocol.OK);
      assertThat(o.seq()).as("in the order they came").isEqualTo(++seq);
    }
    assertThat(counters.get("writesHeldForRenewal")).isEqualTo(5);
  }

  @Test
  void heldWritesAreRefusedAsBeforeWhenTheRenewalSaysTheLeaseIsAnothers() throws Exception {
    CompletableFuture<Outcome> waiting = lapseWithRenewalInFlight("Journal");
    CompletableFuture<Outcome> held = write(replica, "held");
    assertThat(held).isNotDone();
    answer(new MemberChannel.Renewal(false, LEASE, "lease held by kv-1 at epoch 2", true));
    assertThat(held.get(5, TimeUnit.SECONDS))
        .isEqualTo(new Outcome(-1, LocalProtocol.FENCED, "primary lease not renewed in time"));
    assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.FENCED);
    assertThat(replica.view("").serving()).as("the hold is over").isFalse();
    assertThat(write(replica, "after").get(5, TimeUnit.SECONDS).status())
        .isEqualTo(LocalProtocol.FENCED);
  }

  @Test
  void heldWritesAreRefusedWhenTheRenewalFailsOrTakesLongerThanALease() throws Exception {
    lapseWithRenewalInFlight("Synchronous");
    CompletableFuture<Outcome> held = write(replica, "held");
    clock.advance(LEASE.toMillis() - 10);
    replica.checkServing("tick");
    assertThat(held).as("still within a lease duration").isNotDone();
    clock.advance(10);
    replica.checkServing("tick");
    assertThat(held.get(5, TimeUnit.SECONDS).message())
        .isEqualTo("primary lease not renewed in time");
    assertThat(write(replica, "after the hold").get(5, TimeUnit.SECONDS).status())
        .as("one hold per lapse")
        .isEqualTo(LocalProtocol.FENCED);
    answer(new MemberChannel.Renewal(false, LEASE, "renewal failed: connection refused"));

    // Another lapse's renewal fails: what it held is refused at once.
    CompletableFuture<Outcome> second = (lapseAgain());
    answer(new MemberChannel.Renewal(false, LEASE, "renewal failed: connection refused"));
    assertThat(second.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.FENCED);
  }

  private CompletableFuture<Outcome> lapseAgain() throws Exception {
    keeper = LeaseKeeper.steppedByCaller(api, replica, 300, 100);
    api.slow.set(false);
    clock.passUntil("serving again", 5000, keeper::renewOnce, replica::serving);
    clock.advance(LEASE.toMillis());
    api.slow.set(true);
    renewal = new Thread(keeper::renewOnce, "renewal");
    renewal.start();
    while (renewal.getState() != Thread.State.WAITING) Thread.sleep(1);
    CompletableFuture<Outcome> held = write(replica, "held again");
    assertThat(held).isNotDone();
    return held;
  }

  /**
   * The primary's standby changed under the lapsed lease (the pool drill: an assignment named another standby a
   * moment after a handover): no standby is connected, and writes still wait for the renewal instead of being
   * refused; once it answers they are sequenced and wait for the new standby like any write.
   */
  @Test
  void writesAreHeldTooWhenTheStandbyChangedAndNoneIsConnectedYet() throws Exception {
    lapseWithRenewalInFlight("Synchronous");
    replica.assign(Role.Primary, 1, "c:7480", null, "test");
    assertThat(replica.acknowledgements().confirmingStandbyConnected()).isFalse();
    CompletableFuture<Outcome> held = write(replica, "held");
    clock.advance(50);
    replica.checkServing("tick");
    assertThat(held).as("held, not refused").isNotDone();
    answer(new MemberChannel.Renewal(true, LEASE, "renewed"));
    replica.checkServing("tick");
    assertThat(counters.get("writesReleasedAfterRenewal"))
        .as("sequenced once the renewal answered")
        .isEqualTo(1);
    assertThat(held).as("now waiting for the new standby like any write").isNotDone();
  }

  @Test
  void anAsynchronousPrimaryRefusesAtOnceAsBefore() throws Exception {
    lapseWithRenewalInFlight("Asynchronous");
    assertThat(write(replica, "refused").get(5, TimeUnit.SECONDS))
        .isEqualTo(new Outcome(-1, LocalProtocol.FENCED, "primary lease not renewed in time"));
    answer(new MemberChannel.Renewal(true, LEASE, "renewed"));
    assertThat(write(replica, "after").get(5, TimeUnit.SECONDS).status())
        .isEqualTo(LocalProtocol.OK);
  }

  @Test
  void theRuleHoldsOnlyForAPrimaryWhoseLeaseIsNotWhatKeepsItsWritesSafe() {
    assertThat(hold(Role.Primary, Mode.SYNCHRONOUS, false, false, true, false, 0))
        .isTrue();
    assertThat(hold(Role.Primary, Mode.JOURNAL, false, false, false, false, 899))
        .as("a renewal due (none failed since the last was sent)")
        .isTrue();
    assertThat(hold(Role.Primary, Mode.SYNCHRONOUS, false, false, true, false, 900))
        .as("a lease duration into the lapse")
        .isFalse();
    assertThat(hold(Role.Primary, Mode.ASYNCHRONOUS, false, false, true, false, 0))
        .isFalse();
    assertThat(hold(Role.Primary, Mode.SYNCHRONOUS, true, false, true, false, 0))
        .as("acknowledging alone")
        .isFalse();
    assertThat(hold(Role.Primary, Mode.SYNCHRONOUS, false, true, true, false, 0))
        .as("lease taken away")
        .isFalse();
    assertThat(hold(Role.Primary, Mode.SYNCHRONOUS, false, false, false, true, 0))
        .as("the last renewal failed, none in flight")
        .isFalse();
    assertThat(hold(Role.Standby, Mode.SYNCHRONOUS, false, false, true, false, 0))
        .isFalse();
    assertThat(LeaseRenewalHold.holds(
            Role.Primary, true, false, Mode.SYNCHRONOUS, false, false, true, false, 0, 900))
        .as("self-fenced")
        .isFalse();
    assertThat(LeaseRenewalHold.holds(
            Role.Primary, false, true, Mode.SYNCHRONOUS, false, false, true, false, 0, 900))
        .as("log writer failed")
        .isFalse();
  }

  private static boolean hold(
      Role role,
      Mode mode,
      boolean acksAlone,
      boolean takenAway,
      boolean inFlight,
      boolean failed,
      long lapsedForMillis) {
    return LeaseRenewalHold.holds(
        role, false, false, mode, acksAlone, takenAway, inFlight, failed, lapsedForMillis, 900);
  }
}
