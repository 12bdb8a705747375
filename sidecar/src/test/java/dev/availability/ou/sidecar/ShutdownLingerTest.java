package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Role;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShutdownLingerTest {
  static final ShutdownLinger.Settings S = new ShutdownLinger.Settings(5_000, 25_000);
  static final ShutdownLinger.AtTerm PRIMARY_AT_3 = new ShutdownLinger.AtTerm(Role.Primary, 3);

  @Test
  void aStandbyLeavesAtOnce() {
    assertThat(ShutdownLinger.leaveBecause(
            S, new ShutdownLinger.AtTerm(Role.Standby, 3), Role.Standby, 3, 0))
        .contains("not the primary");
  }

  @Test
  void aPrimaryWaitsTheKeepWindowToBeKeptThenLeaves() {
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Primary, 3, 4_999))
        .isNull();
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Primary, 3, 5_000))
        .contains("did not keep it");
  }

  @Test
  void aPrimaryKeptAsTheStandbyAtTheNextEpochStaysUntilReleasedOrTheMost() {
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Standby, 4, 24_999))
        .isNull();
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Fenced, 4, 6_000))
        .contains("released");
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Standby, 4, 25_000))
        .contains("OU_SHUTDOWN_MAX");
  }

  @Test
  void aStandbyAssignmentAtTheSameEpochIsNoKeep() {
    assertThat(ShutdownLinger.leaveBecause(S, PRIMARY_AT_3, Role.Standby, 3, 100))
        .contains("did not keep it");
  }

  @Test
  void onlyASidecarUnderAnOperatorWaitsByDefault() {
    assertThat(ShutdownLinger.Settings.from(Map.of(), "kubernetes").keepWindowMillis())
        .isEqualTo(5_000);
    assertThat(ShutdownLinger.Settings.from(Map.of(), "standalone").keepWindowMillis())
        .isZero();
    assertThat(ShutdownLinger.Settings.from(Map.of("OU_SHUTDOWN_KEEP_WINDOW", "2s"), "standalone")
            .keepWindowMillis())
        .isEqualTo(2_000);
  }
}
