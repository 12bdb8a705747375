package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.MemberChannel;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
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
  static final class CountingApi implements ControlSource {
    final AtomicInteger renewals = new AtomicInteger();
    @Override public void start(Replica r) {}
    @Override public boolean leaseRequired() { return true; }
    @Override public MemberChannel.Renewal renewLease(long epoch) {
      renewals.incrementAndGet();
      return new MemberChannel.Renewal(true, LEASE, "renewed");
    }
    @Override public void publish(MemberReport report) {}
    @Override public MemberReport lastReport() { return null; }
    @Override public void close() {}
  }

  /** As a standby whose session started at the primary's last sequence, hearing it every 20 ms while {@code confirming}. */
  private Thread caughtUpStandby(AtomicBoolean confirming) {
    replica.acknowledgements().standbySessionStarting(replica.lastSeq());
    replica.acknowledgements().standbySessionStarted(replica.lastSeq());
    return Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        if (confirming.get()) {
          replica.peerHeard();
          replica.acknowledgements().standbyAcked(replica.writtenSeq());
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  @Test
  void aSynchronousPrimaryConfirmedByItsStandbyWritesNoLeaseAndRenewsAtOnceWhenTheStandbyFallsSilent() throws Exception {
    open("OU_MODE", "Synchronous", "OU_SYNC_TIMEOUT", "2s", "OU_HEARTBEAT_INTERVAL", "100ms");
    CountingApi api = new CountingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    Thread standby = caughtUpStandby(confirming);
    try (LeaseKeeper lease = new LeaseKeeper(api, replica, 300, 100)) {
      await().atMost(Duration.ofSeconds(5)).until(replica::serving);
      // One lease duration of confirmation, then no more writes to the lease; the primary serves on.
      await().atMost(Duration.ofSeconds(5)).until(() -> replica.confirmedByStandby());
      Thread.sleep(LEASE.toMillis() + 300);
      int before = api.renewals.get();
      long end = System.nanoTime() + 3 * LEASE.toNanos();
      int n = 0;
      while (System.nanoTime() < end) {
        assertThat(write(replica, "k" + n++).get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
        Thread.sleep(50);
      }
      assertThat(api.renewals.get()).as("renewals over three lease durations while the standby confirms").isEqualTo(before);

      confirming.set(false);
      await("renewed once the standby fell silent").atMost(Duration.ofMillis(1500)).until(() -> api.renewals.get() > before);
      assertThat(replica.serving()).as("on the renewed lease").isTrue();
    } finally {
      standby.interrupt();
    }
  }

  @Test
  void anAsynchronousPrimaryRenewsItsLeaseEvenWhileItsStandbyConfirms() throws Exception {
    open("OU_MODE", "Asynchronous", "OU_HEARTBEAT_INTERVAL", "100ms");
    CountingApi api = new CountingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    Thread standby = caughtUpStandby(new AtomicBoolean(true));
    try (LeaseKeeper lease = new LeaseKeeper(api, replica, 300, 100)) {
      await().atMost(Duration.ofSeconds(5)).until(replica::serving);
      int before = api.renewals.get();
      Thread.sleep(3 * LEASE.toMillis());
      assertThat(replica.confirmedByStandby()).isFalse();
      assertThat(api.renewals.get() - before).as("renewals over three lease durations (one each third)").isGreaterThanOrEqualTo(6);
    } finally {
      standby.interrupt();
    }
  }

  @Test
  void theConfirmationRuleNeedsAFreshCaughtUpStandbyOutsideAsynchronousModeAndALeaseNotTakenAway() {
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, true, 150, 100)).isTrue();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, true, 200, 100)).as("a heartbeat to spare").isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.ASYNCHRONOUS, false, false, true, 0, 100)).isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, true, false, true, 0, 100)).as("acknowledging alone").isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, true, true, 0, 100)).as("lease taken away").isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.SYNCHRONOUS, false, false, false, 0, 100)).as("still catching up").isFalse();
    assertThat(LeaseFailsafe.confirms(Mode.JOURNAL, false, false, true, 0, 100)).isTrue();
  }
}
