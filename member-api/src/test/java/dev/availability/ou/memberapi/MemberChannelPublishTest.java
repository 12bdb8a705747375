package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link MemberChannel#publish}, the one throttle between a member's reports and the API server. */
class MemberChannelPublishTest {
  final List<String> patches = new ArrayList<>();

  final MemberApi api = new MemberApi() {
    @Override
    public AutoCloseable watchPod(
        String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
      return () -> {};
    }

    @Override
    public void mergePatchPod(String name, String mergePatchJson) {
      patches.add(mergePatchJson);
    }

    @Override
    public PodMeta getPod(String name) {
      return null;
    }

    @Override
    public LeaseState getLease(String name) {
      return null;
    }

    @Override
    public LeaseState renewLease(LeaseState lease, Instant renewTime, java.time.Duration duration) {
      return lease;
    }

    @Override
    public void close() {}
  };

  static MemberReport report(boolean inSync, long seq, long at) {
    return MemberReport.builder()
        .role(Role.Standby)
        .epoch(4)
        .lastDurableSeq(seq)
        .lag(0L)
        .inSync(inSync)
        .peerLost(false)
        .peerHeartbeatAgeMillis(20L)
        .appHealthy(true)
        .replicationEndpoint("10.0.0.2:7480")
        .reportedAtMillis(at)
        .build();
  }

  /** A standby's channel under {@code mode}: refreshed every 3 s, or every 30 s where its mode allows. */
  private MemberChannel standbyUnder(String mode) {
    MemberChannel channel = new MemberChannel(
        api, "web-1", null, Clock.systemUTC(), Duration.ofSeconds(3), Duration.ofSeconds(30));
    channel.seed(new Assignment(Role.Standby, 4, "web-0", mode));
    return channel;
  }

  @Test
  void underASynchronousAssignmentPositionsAreRefreshedOnlyEverySynchronousRefreshOnceInSync() {
    MemberChannel channel = standbyUnder("Synchronous");
    assertThat(channel.publish(report(false, 1, 1_000))).isTrue();
    assertThat(channel.publish(report(false, 2, 4_000)))
        .as("catching up: its lag is its progress, refreshed at the short refresh")
        .isTrue();
    assertThat(channel.publish(report(true, 3, 4_500))).as("in sync: a fact").isTrue();
    assertThat(channel.publish(report(true, 4, 8_000)))
        .as("in sync under Synchronous: 3.5 s is not enough")
        .isFalse();
    assertThat(channel.publish(report(true, 5, 34_400)))
        .as("29.9 s after the last write")
        .isFalse();
    assertThat(channel.publish(report(true, 6, 34_500)))
        .as("the synchronous refresh is due")
        .isTrue();
    assertThat(patches).hasSize(4);
  }

  @Test
  void underAnAsynchronousAssignmentPositionsKeepTheShortRefresh() {
    MemberChannel channel = standbyUnder("Asynchronous");
    assertThat(channel.publish(report(true, 1, 1_000))).isTrue();
    assertThat(channel.publish(report(true, 2, 4_000)))
        .as("the operator checks an asynchronous standby's lag before promoting it")
        .isTrue();
  }

  @Test
  void factsGoOutAtOncePositionsOnlyEveryRefresh() {
    MemberChannel channel =
        new MemberChannel(api, "web-1", Clock.systemUTC(), Duration.ofSeconds(3));
    assertThat(channel.publish(report(false, 1, 1_000))).isTrue();
    assertThat(channel.publish(report(false, 2, 2_000)))
        .as("only the position moved")
        .isFalse();
    assertThat(channel.publish(report(true, 3, 2_500))).as("in sync: a fact").isTrue();
    assertThat(channel.publish(report(true, 4, 5_400)))
        .as("2.9 s after the last write")
        .isFalse();
    assertThat(channel.publish(report(true, 5, 5_500))).as("the refresh is due").isTrue();
    assertThat(patches)
        .hasSize(3)
        .allSatisfy(p -> assertThat(p)
            .startsWith("{\"metadata\":{\"annotations\":{\"" + ContractKeys.REPORT_ANNOTATION));
    assertThat(patches.get(2)).contains("\\\"lastDurableSeq\\\":5");
  }

  @Test
  void aRepublishWritesTheNextReportEvenIfUnchangedAndTheDefaultRefreshIsTenSeconds() {
    MemberChannel channel = new MemberChannel(api, "web-1", Clock.systemUTC());
    assertThat(channel.publish(report(true, 1, 0))).isTrue();
    assertThat(channel.publish(report(true, 2, 9_999))).isFalse();
    channel.republish();
    assertThat(channel.publish(report(true, 2, 9_999))).isTrue();
    assertThat(channel.publish(report(true, 3, 19_999))).isTrue();
    assertThat(MemberChannel.REPORT_REFRESH).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aFailedWriteIsNotRetriedBeforeABackoffThatGrowsAndASuccessResetsIt() {
    java.util.concurrent.atomic.AtomicLong millis =
        new java.util.concurrent.atomic.AtomicLong(1_000_000);
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
      }
    };
    java.util.concurrent.atomic.AtomicBoolean refusing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    List<String> tried = new ArrayList<>();
    MemberApi overloaded = new MemberApi() {
      @Override
      public AutoCloseable watchPod(
          String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
        return () -> {};
      }

      @Override
      public void mergePatchPod(String name, String mergePatchJson) {
        tried.add(mergePatchJson);
        if (refusing.get()) throw new MemberApiException(429, "Too Many Requests");
      }

      @Override
      public PodMeta getPod(String name) {
        return null;
      }

      @Override
      public LeaseState getLease(String name) {
        return null;
      }

      @Override
      public LeaseState renewLease(
          LeaseState lease, Instant renewTime, java.time.Duration duration) {
        return lease;
      }

      @Override
      public void close() {}
    };
    MemberChannel channel = new MemberChannel(overloaded, "web-1", clock);

    assertThatThrownBy(() -> channel.publish(report(false, 1, 0)))
        .isInstanceOf(MemberApiException.class);
    assertThat(channel.publish(report(true, 2, 0)))
        .as("a new fact, but the server just refused: wait")
        .isFalse();
    millis.addAndGet(499);
    assertThat(channel.publish(report(true, 2, 0)))
        .as("within the first backoff (0.5 to 1 s)")
        .isFalse();
    millis.addAndGet(501);
    assertThatThrownBy(() -> channel.publish(report(true, 2, 0)))
        .isInstanceOf(MemberApiException.class);
    millis.addAndGet(999);
    assertThat(channel.publish(report(true, 2, 0)))
        .as("the second backoff is longer (1 to 2 s)")
        .isFalse();
    assertThat(tried).hasSize(2);

    refusing.set(false);
    millis.addAndGet(MemberChannel.MAX_REPORT_BACKOFF.toMillis());
    assertThat(channel.publish(report(true, 2, 0))).isTrue();
    assertThat(channel.publish(report(false, 3, 0)))
        .as("a success ends the backoff: the next fact goes at once")
        .isTrue();
    assertThat(tried).hasSize(4);
  }
}
