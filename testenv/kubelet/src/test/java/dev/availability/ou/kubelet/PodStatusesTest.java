package dev.availability.ou.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The status a kubelet writes, from what the containers do (what the operator reads to judge a primary). */
class PodStatusesTest {
  static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  static final ContainerView.Ended KILLED =
      new ContainerView.Ended(137, "Error", T0, T0.plusSeconds(5));

  @Test
  void pendingUntilEveryContainerStartedThenReadyWhenEveryOneIs() {
    var creating =
        new ContainerView("app", "img", null, null, "ContainerCreating", null, null, 0, false);
    var running =
        new ContainerView("ou-sidecar", "img", "ou-process://7", T0, null, null, null, 0, true);
    PodStatus pending = PodStatuses.build(
        "Always", "10.1.1.2", "10.1.1.2", T0, List.of(creating, running), Map.of(), T0);
    assertThat(pending.getPhase()).isEqualTo("Pending");
    assertThat(conditions(pending))
        .containsEntry("Ready", "False")
        .containsEntry("ContainersReady", "False")
        .containsEntry("PodScheduled", "True");
    assertThat(pending.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");

    var appUp = new ContainerView("app", "img", "ou-process://8", T0, null, null, null, 0, true);
    PodStatus ready = PodStatuses.build(
        "Always", "10.1.1.2", "10.1.1.2", T0, List.of(appUp, running), Map.of(), T0.plusSeconds(3));
    assertThat(ready.getPhase()).isEqualTo("Running");
    assertThat(conditions(ready)).containsEntry("Ready", "True");
    assertThat(ready.getPodIP()).isEqualTo("10.1.1.2");
    assertThat(ready.getContainerStatuses().get(0).getState().getRunning().getStartedAt())
        .isEqualTo("2026-12-04T10:00:00Z");
  }

  @Test
  void aRestartedContainerShowsItsCountAndLastTermination() {
    var restarted = new ContainerView(
        "app", "img", "ou-process://9", T0.plusSeconds(6), null, null, KILLED, 1, false);
    PodStatus s = PodStatuses.build(
        "Always", "10.1.1.2", "10.1.1.2", T0, List.of(restarted), Map.of(), T0.plusSeconds(6));
    var c = s.getContainerStatuses().get(0);
    assertThat(c.getRestartCount()).isEqualTo(1);
    assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(c.getState().getRunning()).isNotNull();
    assertThat(conditions(s)).containsEntry("Ready", "False");
  }

  @Test
  void crashLoopBackOffIsAWaitingState() {
    var looping =
        new ContainerView("app", "img", null, T0, "CrashLoopBackOff", null, KILLED, 2, false);
    var c = PodStatuses.build("Always", "10.1.1.2", "10.1.1.2", T0, List.of(looping), Map.of(), T0)
        .getContainerStatuses()
        .get(0);
    assertThat(c.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
  }

  @Test
  void aTransitionTimeIsKeptWhileTheConditionKeepsItsValue() {
    var up = new ContainerView("app", "img", "ou-process://8", T0, null, null, null, 0, true);
    PodStatus first = PodStatuses.build("Always", "ip", "ip", T0, List.of(up), Map.of(), T0);
    Map<String, PodCondition> previous =
        first.getConditions().stream().collect(Collectors.toMap(PodCondition::getType, c -> c));
    PodStatus later =
        PodStatuses.build("Always", "ip", "ip", T0, List.of(up), previous, T0.plusSeconds(30));
    assertThat(readyCondition(later).getLastTransitionTime()).isEqualTo("2026-12-04T10:00:00Z");
    var down = new ContainerView("app", "img", "ou-process://8", T0, null, null, null, 0, false);
    assertThat(readyCondition(PodStatuses.build(
                "Always", "ip", "ip", T0, List.of(down), previous, T0.plusSeconds(31)))
            .getLastTransitionTime())
        .isEqualTo("2026-12-04T10:00:31Z");
  }

  @Test
  void withoutRestartsAPodEndsSucceededOrFailed() {
    var ok = new ContainerView(
        "job",
        "img",
        null,
        T0,
        null,
        new ContainerView.Ended(0, "Completed", T0, T0.plusSeconds(1)),
        null,
        0,
        false);
    assertThat(PodStatuses.phase("Never", List.of(ok))).isEqualTo("Succeeded");
    assertThat(PodStatuses.phase(
            "Never",
            List.of(new ContainerView("job", "img", null, T0, null, KILLED, null, 0, false))))
        .isEqualTo("Failed");
    assertThat(PodStatuses.phase("Always", List.of(ok))).isEqualTo("Running");
  }

  private static Map<String, String> conditions(PodStatus s) {
    return s.getConditions().stream()
        .collect(Collectors.toMap(PodCondition::getType, PodCondition::getStatus));
  }

  private static PodCondition readyCondition(PodStatus s) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }
}
