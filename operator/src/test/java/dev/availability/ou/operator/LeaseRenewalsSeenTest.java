package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class LeaseRenewalsSeenTest {
  private static final Instant T = Instant.parse("2026-12-05T08:00:00Z");

  private static Lease lease(String holder, String renewTime) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName("kv-primary")
        .endMetadata()
        .withNewSpec()
        .withLeaseDurationSeconds(15)
        .withHolderIdentity(holder)
        .withRenewTime(renewTime == null ? null : ZonedDateTime.parse(renewTime))
        .endSpec()
        .build();
  }

  @Test
  void aRenewalCountsFromWhenThisOperatorSawItNeverFromTheHoldersClock() {
    LeaseRenewalsSeen seen = new LeaseRenewalsSeen(Clock.fixed(T, ZoneOffset.UTC));
    // The holder's clock runs an hour ahead: its renewal would look valid for an hour by its own
    // timestamp.
    Lease ahead = lease("kv-0", "2026-12-05T09:00:00.000000Z");
    seen.observed(ahead);
    assertThat(seen.seenAt(ahead, T.plusSeconds(5))).isEqualTo(T);
    // Behind by an hour: it would look expired at once.
    Lease behind = lease("kv-0", "2026-12-05T07:00:00.000000Z");
    assertThat(seen.seenAt(behind, T.plusSeconds(6)))
        .as("a new renewal, first seen at this reconcile")
        .isEqualTo(T.plusSeconds(6));
    assertThat(seen.seenAt(behind, T.plusSeconds(9)))
        .as("the same renewal keeps its first sight")
        .isEqualTo(T.plusSeconds(6));
  }

  @Test
  void aRenewalTheOperatorCouldNotSeeIsNotCountedAsMissed() {
    java.util.concurrent.atomic.AtomicReference<Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(T);
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    LeaseRenewalsSeen seen = new LeaseRenewalsSeen(clock);
    Lease renewed = lease("kv-0", "2026-12-05T08:00:00.000000Z");
    seen.observed(renewed);
    now.set(T.plusSeconds(30)); // the API server was down for 30 s; the watch saw it until now
    seen.blind();
    assertThat(seen.seenAt(renewed, T.plusSeconds(31)))
        .as("the last renewal counts from the end of the blindness, plus one lease duration")
        .isEqualTo(T.plusSeconds(30 + 15));
  }

  @Test
  void anotherHolderWithTheSameRenewTimeIsANewRenewalAndAnUnrenewedLeaseHasNone() {
    LeaseRenewalsSeen seen = new LeaseRenewalsSeen(Clock.fixed(T, ZoneOffset.UTC));
    seen.observed(lease("kv-0", "2026-12-05T08:00:00.000000Z"));
    assertThat(seen.seenAt(lease("kv-1", "2026-12-05T08:00:00.000000Z"), T.plusSeconds(2)))
        .isEqualTo(T.plusSeconds(2));
    assertThat(seen.seenAt(lease("kv-1", null), T.plusSeconds(3))).isNull();
  }
}
