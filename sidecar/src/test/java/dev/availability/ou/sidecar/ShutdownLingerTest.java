package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Role;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShutdownLingerTest {
  static final ShutdownLinger.Settings S = new ShutdownLinger.Settings(5_000, 25_000);

  static ShutdownLinger primary() {
    return new ShutdownLinger(S, Role.Primary, 0);
  }

  @Test
  void aStandbyOrAFencedMemberLeavesAtOnce() {
    assertThat(new ShutdownLinger(S, Role.Standby, Long.MAX_VALUE).leaveBecause(Role.Standby, 3, 0))
        .contains("a Standby");
    assertThat(new ShutdownLinger(S, Role.Fenced, 100).leaveBecause(Role.Fenced, 3, 0))
        .contains("a Fenced");
  }

  @Test
  void aPrimaryWaitsTheKeepWindowToBeKeptThenLeaves() {
    ShutdownLinger l = primary();
    assertThat(l.leaveBecause(Role.Primary, 3, 4_999)).isNull();
    assertThat(l.leaveBecause(Role.Primary, 3, 5_000)).contains("did not keep it");
  }

  @Test
  void aPrimaryKeptAsTheStandbyStaysUntilReleased() {
    ShutdownLinger l = primary();
    assertThat(l.leaveBecause(Role.Standby, 4, 600)).as("kept").isNull();
    assertThat(l.leaveBecause(Role.Standby, 4, 24_999)).isNull();
    assertThat(l.leaveBecause(Role.Fenced, 4, 24_999)).contains("released");
  }

  @Test
  void aPrimaryFencedRatherThanKeptLeaves() {
    assertThat(primary().leaveBecause(Role.Fenced, 4, 300))
        .contains("fenced it rather than keep it");
  }

  /** The failover's Standby assignment reached the sidecar before the kubelet's SIGTERM. */
  @Test
  void aMemberKeptJustBeforeSigtermStays() {
    ShutdownLinger l = new ShutdownLinger(S, Role.Standby, 200);
    assertThat(l.leaveBecause(Role.Standby, 4, 10_000)).isNull();
    assertThat(l.leaveBecause(Role.Fenced, 4, 10_050)).contains("released");
    assertThat(new ShutdownLinger(S, Role.Standby, ShutdownLinger.KEPT_BEFORE_SIGTERM_MILLIS + 1)
            .leaveBecause(Role.Standby, 4, 0))
        .as("a standby for longer is an ordinary one")
        .contains("a Standby");
  }

  @Test
  void aKeptMemberLeavesAtTheMost() {
    ShutdownLinger l = primary();
    assertThat(l.leaveBecause(Role.Standby, 4, 1_000)).isNull();
    assertThat(l.leaveBecause(Role.Standby, 4, 25_000)).contains("OU_SHUTDOWN_MAX");
  }

  @Test
  void theLastPrimaryWatchSaysWhenTheMemberStoppedBeingThePrimary() throws Exception {
    ShutdownLinger.LastPrimary w = new ShutdownLinger.LastPrimary(Role.Standby);
    assertThat(w.millisSincePrimary()).isEqualTo(Long.MAX_VALUE);
    w.accept(new Replica.RoleView(Role.Primary, 2, true, null));
    assertThat(w.millisSincePrimary()).isZero();
    w.accept(new Replica.RoleView(Role.Standby, 3, false, null));
    Thread.sleep(20);
    assertThat(w.millisSincePrimary()).isBetween(20L, 10_000L);
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
