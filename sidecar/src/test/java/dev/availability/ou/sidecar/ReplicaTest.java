package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import dev.availability.ou.replication.Key;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.RecordType;
import dev.availability.ou.replication.Snapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The replica in process: acknowledgement rules per mode, fencing, the lease, recovery. */
class ReplicaTest extends ReplicaFixture {
  @Test
  void asynchronousAcknowledgesAfterTheLocalAppendSynchronousWaitsForTheStandby() throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Asynchronous");
    replica.assign(Role.Primary, 1, null, null, "test");
    assertThat(write(replica, "a").get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    replica.assign(Role.Primary, 1, null, Mode.SYNCHRONOUS, "test");
    CompletableFuture<Outcome> pending = write(replica, "b");
    writer.drain(); // durable here: only the standby's acknowledgement is missing
    assertThat(pending).isNotDone();
    replica.acknowledgements().standbySessionStarted(0);
    replica.acknowledgements().standbyAcked(replica.lastSeq());
    assertThat(pending.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    // No standby: the write is not acknowledged, it times out as UNAVAILABLE.
    replica.acknowledgements().standbyDisconnected();
    CompletableFuture<Outcome> lonely = write(replica, "c");
    clock.passUntil("timed out", 5000, replica.acknowledgements()::expireWaiters, lonely::isDone);
    assertThat(lonely.get().status()).isEqualTo(LocalProtocol.UNAVAILABLE);
  }

  @Test
  void journalModeMakesDataAndMarkersWaitForTheStandby() throws Exception {
    open("OU_MODE", "Journal");
    replica.assign(Role.Primary, 1, null, null, "test");
    CompletableFuture<Outcome> data = write(replica, "data");
    CompletableFuture<Outcome> begin = new CompletableFuture<>();
    replica.write(
        RecordType.BEGIN,
        "req-1".getBytes(),
        null,
        new Replica.Completion() {
          @Override
          public void ok(long seq) {
            begin.complete(new Outcome(seq, 0, null));
          }

          @Override
          public void fail(int status, String message) {
            begin.complete(new Outcome(-1, status, message));
          }
        },
        false);
    writer.drain(); // durable here: only the standby's acknowledgement is missing
    assertThat(data).isNotDone();
    assertThat(begin).isNotDone();
    replica.acknowledgements().standbySessionStarted(replica.lastSeq());
    replica.acknowledgements().standbyAcked(replica.lastSeq());
    assertThat(data.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    assertThat(begin.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    assertThat(store.state().openStimuli()).containsKey(Key.of("req-1"));
  }

  @Test
  void aDeposedPrimaryFailsPendingWritesAndRefusesNewOnes() throws Exception {
    open("OU_MODE", "Synchronous");
    List<Replica.RoleView> views = new CopyOnWriteArrayList<>();
    replica.listeners().addRoleListener(views::add);
    replica.assign(Role.Primary, 2, null, null, "test");
    CompletableFuture<Outcome> pending = write(replica, "x");
    replica.deposed(3);
    assertThat(pending.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.FENCED);
    assertThat(write(replica, "y").get(5, TimeUnit.SECONDS).status())
        .isEqualTo(LocalProtocol.FENCED);
    assertThat(views.get(views.size() - 1).serving()).isFalse();
    assertThat(replica.reportedRole()).isEqualTo(Role.Fenced);
    // an assignment from an older epoch changes nothing
    assertThat(replica.assign(Role.Primary, 1, null, null, "stale")).isFalse();
  }

  @Test
  void primaryStopsAcknowledgingWhenItsLeaseIsNotRenewedInTime() throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Asynchronous");
    AtomicBoolean apiServerReachable = new AtomicBoolean(true);
    ControlSource control = new LeaseOnlyControl() {
      @Override
      public MemberChannel.Renewal renewLease(long epoch) {
        return apiServerReachable.get()
            ? new MemberChannel.Renewal(true, Duration.ofMillis(900), "renewed")
            : new MemberChannel.Renewal(
                false, Duration.ofMillis(900), "renewal failed: connection refused");
      }
    };
    List<Replica.RoleView> views = new CopyOnWriteArrayList<>();
    replica.listeners().addRoleListener(views::add);
    replica.assign(Role.Primary, 1, null, null, "test");
    replica.leaseRequired(true); // as the Kubernetes control source sets it before any assignment
    assertThat(write(replica, "before-lease").get(5, TimeUnit.SECONDS).status())
        .isEqualTo(LocalProtocol.FENCED);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(control, replica, 300, 200)) {
      Runnable step = () -> {
        lease.renewOnce();
        replica.checkServing("tick");
      };
      clock.passUntil("serving", 5000, step, replica::serving);
      assertThat(write(replica, "a").get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
      apiServerReachable.set(false);
      clock.passUntil("stopped serving", 5000, step, () -> !replica.serving());
      assertThat(write(replica, "b").get(5, TimeUnit.SECONDS).status())
          .isEqualTo(LocalProtocol.FENCED);
      assertThat(views).anyMatch(v -> !v.serving() && v.reason().contains("lease"));
      apiServerReachable.set(true);
      clock.passUntil("serving again", 5000, step, replica::serving);
      assertThat(write(replica, "c").get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    }
  }

  /** A lease the API server cannot renew (unreachable, or it says the lease is another's) and a standby that can be silenced. */
  private final class BlinkingApi extends LeaseOnlyControl {
    final AtomicBoolean reachable = new AtomicBoolean(true);
    final AtomicBoolean takenAway = new AtomicBoolean(false);

    @Override
    public MemberChannel.Renewal renewLease(long epoch) {
      if (takenAway.get())
        return new MemberChannel.Renewal(
            false, Duration.ofMillis(900), "lease held by kv-1 at epoch " + (epoch + 1), true);
      return reachable.get()
          ? new MemberChannel.Renewal(true, Duration.ofMillis(900), "renewed")
          : new MemberChannel.Renewal(
              false, Duration.ofMillis(900), "renewal failed: connection refused");
    }
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
      aSynchronousPrimaryKeepsAcknowledgingThroughAnApiServerOutageWhileItsStandbyConfirmsAndStopsWhenItFallsSilent()
          throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Synchronous", "OU_SYNC_TIMEOUT", "2s");
    BlinkingApi api = new BlinkingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    standbyAcknowledging(confirming);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 200)) {
      Runnable tick = tick(lease, confirming);
      clock.passUntil("serving", 5000, tick, replica::serving);
      api.reachable.set(false);
      // Three lease durations without the API server: every write is still acknowledged (the
      // standby holds it).
      long end = clock.getAsLong() + 2_700_000_000L;
      int n = 0;
      while (clock.getAsLong() - end < 0) {
        Outcome o = write(replica, "k" + n++).get(5, TimeUnit.SECONDS);
        assertThat(o.status())
            .as(
                "write %d, %d ms into the outage: %s",
                n, 2700 - (end - clock.getAsLong()) / 1_000_000, o.message())
            .isEqualTo(LocalProtocol.OK);
        clock.pass(50, tick);
      }
      assertThat(replica.failsafe()).isTrue();
      assertThat(counters.get("failsafeEntered")).isEqualTo(1);
      // The standby falls silent (promoted, or cut off): the primary stops within a few heartbeats.
      confirming.set(false);
      clock.passUntil("stopped serving", 3000, tick, () -> !replica.serving());
      assertThat(write(replica, "after").get(5, TimeUnit.SECONDS).status())
          .isEqualTo(LocalProtocol.FENCED);
      // The API server answers again: renewed, serving on the lease (the standby, heard again
      // first, may bring the failsafe back for a moment before the next renewal).
      confirming.set(true);
      api.reachable.set(true);
      clock.passUntil(
          "serving on the lease", 5000, tick, () -> replica.serving() && !replica.failsafe());
    }
  }

  @Test
  void aPrimaryWhoseLeaseTheApiServerGaveToAnotherStopsAtItsDeadlineEvenWithAConfirmingStandby()
      throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Synchronous", "OU_SYNC_TIMEOUT", "2s");
    BlinkingApi api = new BlinkingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    AtomicBoolean confirming = new AtomicBoolean(true);
    standbyAcknowledging(confirming);
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 200)) {
      Runnable tick = tick(lease, confirming);
      clock.passUntil("serving", 5000, tick, replica::serving);
      api.takenAway.set(true);
      clock.passUntil("stopped serving", 3000, tick, () -> !replica.serving());
      assertThat(write(replica, "x").get(5, TimeUnit.SECONDS).status())
          .isEqualTo(LocalProtocol.FENCED);
    }
  }

  @Test
  void aPrimaryAcknowledgingWithoutAStandbyHasNoFailsafe() throws Exception {
    ManualClock clock = new ManualClock();
    nanoTime = clock;
    open("OU_MODE", "Synchronous", "OU_DATA_DURABILITY", "preferred");
    BlinkingApi api = new BlinkingApi();
    replica.assign(Role.Primary, 1, null, null, "test");
    try (LeaseKeeper lease = LeaseKeeper.steppedByCaller(api, replica, 300, 200)) {
      Runnable tick = lease::renewOnce;
      clock.passUntil("serving", 5000, tick, replica::serving);
      assertThat(replica.acknowledgingAlone()).isTrue();
      api.reachable.set(false);
      clock.passUntil("stopped serving", 3000, tick, () -> !replica.serving());
      assertThat(write(replica, "x").get(5, TimeUnit.SECONDS).status())
          .isEqualTo(LocalProtocol.FENCED);
    }
  }

  @Test
  void aPreferredPrimaryBackAtTheSameEpochWaitsForItsStandbyInsteadOfAcknowledgingAlone()
      throws Exception {
    // Issue 15 item 5: its standby may hold records this primary lost; it must be heard before
    // anything is acknowledged on one copy (the primary stops serving if it holds more, see
    // LostPrimaryTailProcessTest).
    open("OU_MODE", "Synchronous", "OU_DATA_DURABILITY", "preferred");
    replica.assign(Role.Primary, 1, "127.0.0.1:1", null, "promoted");
    assertThat(replica.acknowledgingAlone()).as("just promoted").isTrue();
    close();
    open("OU_MODE", "Synchronous", "OU_DATA_DURABILITY", "preferred");
    replica.assign(Role.Primary, 1, "127.0.0.1:1", null, "restarted");
    assertThat(replica.acknowledgingAlone())
        .as("restarted, its standby still its peer")
        .isFalse();
    close();
    open("OU_MODE", "Synchronous", "OU_DATA_DURABILITY", "preferred");
    replica.assign(Role.Primary, 1, null, null, "restarted without a standby");
    assertThat(replica.acknowledgingAlone())
        .as("restarted, no standby to wait for")
        .isTrue();
  }

  @Test
  void restartAsPrimaryAtTheSameEpochStartsANewTerm() throws Exception {
    open("OU_MODE", "Asynchronous");
    replica.assign(Role.Primary, 4, null, null, "test");
    write(replica, "a").get(5, TimeUnit.SECONDS);
    long firstTerm = store.log().lastTerm();
    close();
    open("OU_MODE", "Asynchronous");
    assertThat(store.state().get(Key.of("a"))).isNotNull();
    replica.assign(Role.Primary, 4, null, null, "restarted");
    write(replica, "b").get(5, TimeUnit.SECONDS);
    assertThat(store.log().lastTerm()).isGreaterThan(firstTerm);
    assertThat(store.log().history().starts()).hasSize(2);
  }

  @Test
  void snapshotsTakenWhileWritesGoOnRecoverTheExactState() throws Exception {
    open("OU_MODE", "Asynchronous");
    replica.assign(Role.Primary, 1, null, null, "test");
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<CompletableFuture<Outcome>> last =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread writes = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        replica.write(
            i % 7 == 0 ? RecordType.DELETE : RecordType.PUT,
            ("k" + i % 300).getBytes(),
            i % 7 == 0 ? null : ("v" + i).getBytes(),
            new Replica.Completion() {
              @Override
              public void ok(long seq) {
                f.complete(new Outcome(seq, LocalProtocol.OK, null));
              }

              @Override
              public void fail(int status, String message) {
                f.complete(new Outcome(-1, status, message));
              }
            },
            false);
        if (i % 64 == 0) f.join(); // keep the queue short
        last.add(f);
        if (last.size() > 64) last.remove(0);
      }
    });
    writes.start();
    java.util.List<Snapshots.Loaded> taken = new java.util.ArrayList<>();
    for (int n = 0;
        n < 50 && (n < 5 || taken.stream().noneMatch(t -> t.consistentSeq() > t.seq()));
        n++) {
      Thread.sleep(10);
      taken.add(replica.snapshots().snapshotNow());
    }
    stop.set(true);
    writes.join();
    for (CompletableFuture<Outcome> f : last)
      assertThat(f.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    assertThat(taken)
        .allSatisfy(
            t -> assertThat(replica.durableSeq()).isGreaterThanOrEqualTo(t.consistentSeq()));
    assertThat(taken)
        .anySatisfy(t -> assertThat(t.consistentSeq())
            .as("a snapshot written while writes went on")
            .isGreaterThan(t.seq()));
    java.util.List<java.util.Map.Entry<Key, byte[]>> before =
        store.state().scan(null, Integer.MAX_VALUE);
    long lastSeq = replica.lastSeq();
    close();

    open("OU_MODE", "Asynchronous");
    assertThat(store.snapshotSeq()).isEqualTo(taken.get(taken.size() - 1).seq());
    assertThat(store.state().appliedSeq()).isEqualTo(lastSeq);
    assertThat(store.state().scan(null, Integer.MAX_VALUE))
        .usingElementComparator((a, b) ->
            a.getKey().equals(b.getKey()) && java.util.Arrays.equals(a.getValue(), b.getValue())
                ? 0
                : 1)
        .containsExactlyElementsOf(before);
  }

  @Test
  void aStandbyIsNotInSyncNorPromotableUntilTheStreamMakesAReceivedSnapshotExact()
      throws Exception {
    // The primary's snapshot is fuzzy: begun at 3, it holds updates up to 6.
    long t = dev.availability.ou.replication.Terms.of(1, 1);
    List<dev.availability.ou.replication.LogRecord> records = new java.util.ArrayList<>();
    dev.availability.ou.replication.KvState primary =
        new dev.availability.ou.replication.KvState(0);
    for (int i = 1; i <= 6; i++) {
      records.add(dev.availability.ou.replication.LogRecord.put(
          i, t, ("k" + i).getBytes(), ("v" + i).getBytes()));
      primary.apply(records.get(i - 1));
    }
    Snapshots fromPrimary = new Snapshots(dir.resolve("primary-snapshots"), Limits.DEFAULT);
    Snapshots.Written w =
        fromPrimary.write(primary, 3, 0, new dev.availability.ou.replication.TermHistory());
    assertThat(w.consistentSeq()).isEqualTo(6);
    Path sent = fromPrimary.commit(w);

    open("OU_MODE", "Synchronous");
    replica.assign(Role.Standby, 1, null, null, "test");
    Path incoming = java.nio.file.Files.copy(sent, store.incomingDir().resolve("snapshot.part"));
    replica
        .streamApplier()
        .installSnapshot(1, incoming, store.snapshots().load(incoming), seq -> {});
    replica.standbyProgress().streaming(true);
    replica.standbyProgress().primaryPosition(3);
    replica.peerHeard();
    assertThat(replica.durableSeq()).isEqualTo(3);
    assertThat(store.exactFromSeq()).isEqualTo(6);
    assertThat(replica.standbyProgress().inSync())
        .as("holds what the primary had at 3, but some keys already at later values")
        .isFalse();
    // Issue 15 item 4: nor does it take a promotion while its state is not exact.
    assertThat(replica.assign(Role.Primary, 2, null, null, "test")).isFalse();
    assertThat(replica.role()).isEqualTo(Role.Standby);
    assertThat(counters.snapshot()).containsEntry("promotionsRefusedNotExact", 1L);

    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    for (var r : records.subList(3, 6)) raw.write(r.encode());
    replica
        .streamApplier()
        .applyReplicated(1, raw.toByteArray(), records.subList(3, 6), false, false, seq -> {});
    await().atMost(Duration.ofSeconds(5)).until(() -> replica.durableSeq() == 6);
    replica.peerHeard();
    assertThat(replica.standbyProgress().inSync()).isTrue();
    assertThat(store.state().get(Key.of("k6"))).isEqualTo("v6".getBytes());
    assertThat(replica.assign(Role.Primary, 2, null, null, "test"))
        .as("exact now: the promotion is taken")
        .isTrue();
    assertThat(replica.role()).isEqualTo(Role.Primary);
  }

  @Test
  void aPlanMadeForTheStandbyIsRefusedOnceItWasPromotedAndCutsNothing() throws Exception {
    // Issue 15 item 3: the old primary's START (cut after 0) or records, planned from what this
    // member held as the standby at epoch 1, reach it after its promotion at epoch 2: the replica
    // refuses them in the critical section that would apply them.
    open("OU_MODE", "Asynchronous");
    replica.assign(Role.Standby, 1, null, null, "test");
    replica.assign(Role.Primary, 2, null, null, "test");
    CompletableFuture<Outcome> w = write(replica, "after-promotion");
    assertThat(w.get(5, TimeUnit.SECONDS).status()).isEqualTo(LocalProtocol.OK);
    long t = dev.availability.ou.replication.Terms.of(1, 1);
    var old = dev.availability.ou.replication.LogRecord.put(1, t, "old".getBytes(), "v".getBytes());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> replica.streamApplier().cutAfter(1, 0, seq -> {}))
        .isInstanceOf(dev.availability.ou.replication.ProtocolException.class)
        .hasMessageContaining("epoch 2");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> replica
            .streamApplier()
            .applyReplicated(1, old.encode(), List.of(old), false, false, seq -> {}))
        .isInstanceOf(dev.availability.ou.replication.ProtocolException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> replica.streamApplier().position(1))
        .isInstanceOf(dev.availability.ou.replication.ProtocolException.class);
    assertThat(replica.lastSeq()).isEqualTo(2);
    assertThat(store.state().get(Key.of("after-promotion"))).isNotNull();
    assertThat(counters.snapshot()).containsEntry("replicationPlansSuperseded", 3L);
  }

  @Test
  void aPromotedStandbyNeverAcknowledgesItsOwnRecordsToTheOldPrimary() throws Exception {
    // Seen in bench/drill (one acknowledged Synchronous write lost, twice): the standby took
    // records 1..3 from the primary at epoch 1, the old primary sent 4..6, then the standby was
    // promoted. Its own TERM_START became durable at 4, and the ACK rule "durable and below what
    // the primary sends next" acknowledged 4: the old primary then acknowledged its write 4, which
    // the new primary never took.
    open("OU_MODE", "Synchronous");
    replica.assign(Role.Standby, 1, null, null, "test");
    long t = dev.availability.ou.replication.Terms.of(1, 1);
    List<dev.availability.ou.replication.LogRecord> records = new java.util.ArrayList<>();
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    for (int i = 1; i <= 3; i++) {
      records.add(dev.availability.ou.replication.LogRecord.put(
          i, t, ("k" + i).getBytes(), "v".getBytes()));
      raw.write(records.get(i - 1).encode());
    }
    java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong(0);
    replica.streamApplier().applyReplicated(1, raw.toByteArray(), records, false, false, held::set);
    assertThat(held.get()).isEqualTo(3);
    replica.assign(Role.Primary, 2, null, null, "test"); // TERM_START at 4
    await().atMost(Duration.ofSeconds(5)).until(() -> replica.durableSeq() == 4);
    var late = dev.availability.ou.replication.LogRecord.put(4, t, "k4".getBytes(), "v".getBytes());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> replica
            .streamApplier()
            .applyReplicated(1, late.encode(), List.of(late), false, false, held::set))
        .isInstanceOf(dev.availability.ou.replication.ProtocolException.class);
    assertThat(held.get()).as("what the session put in the log").isEqualTo(3);
    long sessionNext = 7; // the old primary sent up to 6
    assertThat(AckPacing.ackable(replica.durableSeq(), held.get(), 3, sessionNext))
        .as("nothing more to acknowledge")
        .isEqualTo(-1);
    assertThat(AckPacing.ackable(replica.durableSeq(), held.get(), 2, sessionNext))
        .isEqualTo(3);
    assertThat(AckPacing.ackable(2, held.get(), 1, sessionNext))
        .as("not durable yet beyond 2")
        .isEqualTo(2);
    assertThat(AckPacing.ackable(5, 5, 2, 5))
        .as("never what the primary has not sent")
        .isEqualTo(-1);
  }
}
