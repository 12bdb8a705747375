package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Role;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShutdownLingerTest {
  static final ShutdownLinger.Settings S = new ShutdownLinger.Settings(5_000, 25_000);

  static ShutdownLinger primaryAt3() {
    return new ShutdownLinger(S, Role.Primary, 3);
  }

  @Test
  void aStandbyLeavesAtOnce() {
    assertThat(new ShutdownLinger(S, Role.Standby, 3).leaveBecause(Role.Standby, 3, 0))
        .contains("not the primary");
  }

  @Test
  void aPrimaryWaitsTheKeepWindowToBeKeptThenLeaves() {
    ShutdownLinger l = primaryAt3();
    assertThat(l.leaveBecause(Role.Primary, 3, 4_999)).isNull();
    assertThat(l.leaveBecause(Role.Primary, 3, 5_000)).contains("did not keep it");
  }

  @Test
  void theFailoversFenceBeforeTheKeepIsNoRelease() {
    ShutdownLinger l = primaryAt3();
    assertThat(l.leaveBecause(Role.Fenced, 4, 300))
        .as("fenced by the promotion")
        .isNull();
    assertThat(l.leaveBecause(Role.Standby, 4, 600)).as("kept").isNull();
    assertThat(l.leaveBecause(Role.Standby, 4, 24_999)).isNull();
    assertThat(l.leaveBecause(Role.Fenced, 4, 25_000 - 1)).contains("released");
  }

  @Test
  void aFencedPrimaryNobodyKeepsLeavesAfterTheKeepWindow() {
    ShutdownLinger l = primaryAt3();
    assertThat(l.leaveBecause(Role.Fenced, 4, 4_000)).isNull();
    assertThat(l.leaveBecause(Role.Fenced, 4, 5_000)).contains("did not keep it");
  }

  @Test
  void aKeptMemberLeavesAtTheMost() {
    ShutdownLinger l = primaryAt3();
    assertThat(l.leaveBecause(Role.Standby, 4, 1_000)).isNull();
    assertThat(l.leaveBecause(Role.Standby, 4, 25_000)).contains("OU_SHUTDOWN_MAX");
  }

  @Test
  void aStandbyAssignmentAtTheSameEpochIsNoKeep() {
    ShutdownLinger l = primaryAt3();
    assertThat(l.leaveBecause(Role.Standby, 3, 100)).isNull(); // within the window
    assertThat(l.leaveBecause(Role.Standby, 3, 5_000)).contains("did not keep it");
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
