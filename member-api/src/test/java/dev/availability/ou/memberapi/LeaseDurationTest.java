package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.ContractKeys;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaseDurationTest {
  private static MemberApi.LeaseState lease(String ms) {
    return new MemberApi.LeaseState(
        "kv-primary",
        "1",
        "kv-0",
        2,
        ms == null ? Map.of() : Map.of(ContractKeys.LEASE_DURATION_MS_ANNOTATION, ms),
        null);
  }

  @Test
  void
      theDurationAnnotationIsReadAndAnUnreadableOneFallsBackToTheLeasesOwnInsteadOfFailingEveryRenewal() {
    assertThat(MemberChannel.leaseDuration(lease("1500"))).isEqualTo(Duration.ofMillis(1500));
    assertThat(MemberChannel.leaseDuration(lease("1.5s"))).isEqualTo(Duration.ofSeconds(2));
    assertThat(MemberChannel.leaseDuration(lease("-5"))).isEqualTo(Duration.ofSeconds(2));
    assertThat(MemberChannel.leaseDuration(lease(null))).isEqualTo(Duration.ofSeconds(2));
  }
}
