package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.client.FencedException;
import dev.availability.ou.client.OuClient;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 on real processes: a Synchronous primary in Kubernetes control ({@link LeaseApiDouble}) confirmed by its
 * in-sync standby writes no lease; the standby stalls (SIGSTOP: a shared standby busy taking another unit over) and
 * the renewal the primary then sends takes 600 ms, longer than the failsafe's last heartbeat (100 ms). The pool drill
 * saw such a primary refuse writes "primary lease not renewed in time" for that round trip; now it holds them, and
 * every write a client sends through it is acknowledged once the standby is back. When the renewal answers that the
 * lease is another's, the held writes are refused as before.
 */
class RenewalInFlightProcessTest {
  static final long HEARTBEAT = 100;
  static final long LEASE = 1000;

  @TempDir
  Path root;

  LeaseApiDouble api;
  SidecarProcess primary;
  SidecarProcess standby;

  @AfterEach
  void tearDown() throws Exception {
    if (standby != null) {
      standby.resume();
      standby.stop();
    }
    if (primary != null) primary.stop();
    if (api != null) api.close();
  }

  /** A confirmed primary (no lease write for over a lease duration) and its standby in sync. */
  private void confirmedPair() throws Exception {
    String net = SidecarProcess.freshNet();
    Path key = SidecarProcess.newKey(root);
    standby = new SidecarProcess("b", net + "2", root, key)
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous")
        .start();
    api = new LeaseApiDouble(
        "web-a",
        new Assignment(
            Role.Primary,
            1,
            "web-b",
            "Synchronous",
            new Assignment.Timing(HEARTBEAT, 1000, LEASE, 300)),
        MemberReport.builder()
            .role(Role.Standby)
            .epoch(1)
            .replicationEndpoint(standby.replicationEndpoint())
            .reportedAtMillis(System.currentTimeMillis())
            .build(),
        LEASE);
    Path token = Files.writeString(root.resolve("token"), "t");
    primary = new SidecarProcess("a", net + "1", root, key)
        .with("OU_CONTROL", "kubernetes")
        .with("OU_NAMESPACE", LeaseApiDouble.NS)
        .with("OU_POD_NAME", "web-a")
        .with("OU_POD_IP", net + "1")
        .with("OU_API_SERVER", api.url())
        .with("OU_API_TOKEN_FILE", token.toString())
        .with("OU_API_CA_FILE", token.toString())
        .start();
    await("the standby in sync")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> standby.status().inSync());
    // Confirmed: the lease is written no more (LeaseKeeper.CONFIRMED_RENEWAL_LEASES).
    await("the primary confirmed by its standby, writing no lease")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          int before = api.leaseWrites.get();
          Thread.sleep(2 * LEASE);
          return api.leaseWrites.get() == before;
        });
  }

  /**
   * Writes every 10 ms for 3 s through the primary; 300 ms in, the standby stalls for 1.2 s while each lease write
   * takes 600 ms. Returns the outcomes: the sequence, or the failure.
   */
  private List<Object> writeThroughAStall() throws Exception {
    api.leaseWriteDelayMillis = 600;
    int writesBefore = api.leaseWrites.get();
    List<CompletableFuture<Long>> sent = new ArrayList<>();
    try (OuClient client = primary.client()) {
      long start = System.nanoTime();
      boolean paused = false;
      boolean resumed = false;
      for (int i = 0; System.nanoTime() - start < 3_000_000_000L; i++) {
        long at = (System.nanoTime() - start) / 1_000_000;
        if (!paused && at >= 300) {
          standby.pause();
          paused = true;
        }
        if (!resumed && at >= 1500) {
          standby.resume();
          resumed = true;
        }
        sent.add(client.putAsync(("k" + i).getBytes(), "v".getBytes()));
        Thread.sleep(10);
      }
      List<Object> outcomes = new ArrayList<>();
      for (CompletableFuture<Long> f : sent) {
        try {
          outcomes.add(f.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
          outcomes.add(e.getCause());
        }
      }
      assertThat(api.leaseWrites.get())
          .as("the primary renewed its lease once its standby fell silent")
          .isGreaterThan(writesBefore);
      return outcomes;
    }
  }

  private static List<Throwable> failures(List<Object> outcomes) {
    return outcomes.stream()
        .filter(o -> o instanceof Throwable)
        .map(o -> (Throwable) o)
        .toList();
  }

  @Test
  void everyWriteIsAcknowledgedWhileTheRenewalSentWhenTheStandbyStalledIsInFlight()
      throws Exception {
    confirmedPair();
    List<Object> outcomes = writeThroughAStall();
    assertThat(failures(outcomes))
        .as("writes refused of %d (the primary's log:\n%s)", outcomes.size(), primary.tail())
        .isEmpty();
    assertThat(primary.counter("writesHeldForRenewal"))
        .as("writes held while the renewal was in flight (else the stall never lapsed the lease)")
        .isPositive();
    assertThat(outcomes)
        .as("acknowledged in the order sent")
        .isSortedAccordingTo((a, b) -> Long.compare((Long) a, (Long) b));
  }

  @Test
  void heldWritesAreRefusedWhenTheRenewalAnswersThatTheLeaseIsAnothers() throws Exception {
    confirmedPair();
    api.takenAway = true;
    List<Object> outcomes = writeThroughAStall();
    List<Throwable> failures = failures(outcomes);
    assertThat(failures).as("writes refused once the lease was another's").isNotEmpty();
    assertThat(failures)
        .as("each refused as fenced: %s", failures.get(0))
        .allMatch(t -> t instanceof FencedException);
    assertThat(outcomes.get(outcomes.size() - 1))
        .as("the last write, after the answer")
        .isInstanceOf(FencedException.class);
    assertThat(failures.stream().map(Throwable::getMessage))
        .anyMatch(m -> m.contains("lease not renewed in time"));
  }
}
