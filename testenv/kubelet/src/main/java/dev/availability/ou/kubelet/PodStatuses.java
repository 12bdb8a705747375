package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A pod's status from what its containers are doing, as a kubelet writes it (pure): phase, the conditions
 * PodScheduled, Initialized, PodReadyToStartContainers, ContainersReady and Ready, the addresses, and one
 * containerStatus each with state, lastState, ready, started and restartCount. Transition times are kept
 * from {@code previous} while a condition keeps its value.
 */
final class PodStatuses {
  private PodStatuses() {}

  static PodStatus build(
      String restartPolicy,
      String podIp,
      String hostIp,
      Instant startTime,
      List<ContainerView> containers,
      Map<String, PodCondition> previous,
      Instant now) {
    boolean allReady = !containers.isEmpty() && containers.stream().allMatch(ContainerView::ready);
    List<ContainerStatus> statuses =
        containers.stream().map(PodStatuses::status).toList();
    return new PodStatusBuilder()
        .withPhase(phase(restartPolicy, containers))
        .withConditions(List.of(
            condition("PodReadyToStartContainers", true, previous, now),
            condition("Initialized", true, previous, now),
            condition("Ready", allReady, previous, now),
            condition("ContainersReady", allReady, previous, now),
            condition("PodScheduled", true, previous, now)))
        .withPodIP(podIp)
        .withPodIPs(podIp == null ? List.of() : List.of(new PodIP(podIp)))
        .withHostIP(hostIp)
        .withStartTime(time(startTime))
        .withContainerStatuses(statuses)
        .withQosClass("Burstable")
        .build();
  }

  static String phase(String restartPolicy, List<ContainerView> containers) {
    if (containers.stream()
        .anyMatch(
            c -> c.startedAt() == null && c.terminated() == null && c.lastTerminated() == null))
      return "Pending";
    boolean allEnded = containers.stream().allMatch(c -> c.terminated() != null);
    if (!allEnded || "Always".equals(restartPolicy)) return "Running";
    return containers.stream().allMatch(c -> c.terminated().exitCode() == 0)
        ? "Succeeded"
        : "Failed";
  }

  private static ContainerStatus status(ContainerView c) {
    return new ContainerStatusBuilder()
        .withName(c.name())
        .withImage(c.image())
        .withImageID("ou-process://" + c.image())
        .withContainerID(c.containerId())
        .withReady(c.ready())
        .withStarted(c.running())
        .withRestartCount(c.restartCount())
        .withState(state(c))
        .withLastState(
            c.lastTerminated() == null ? new ContainerState() : terminated(c.lastTerminated()))
        .build();
  }

  private static ContainerState state(ContainerView c) {
    if (c.terminated() != null) return terminated(c.terminated());
    if (c.waitingReason() != null || c.startedAt() == null) {
      return new ContainerStateBuilder()
          .withNewWaiting()
          .withReason(c.waitingReason() == null ? "ContainerCreating" : c.waitingReason())
          .endWaiting()
          .build();
    }
    return new ContainerStateBuilder()
        .withNewRunning()
        .withStartedAt(time(c.startedAt()))
        .endRunning()
        .build();
  }

  private static ContainerState terminated(ContainerView.Ended e) {
    return new ContainerStateBuilder()
        .withNewTerminated()
        .withExitCode(e.exitCode())
        .withReason(e.reason())
        .withStartedAt(time(e.startedAt()))
        .withFinishedAt(time(e.finishedAt()))
        .endTerminated()
        .build();
  }

  private static PodCondition condition(
      String type, boolean value, Map<String, PodCondition> previous, Instant now) {
    String status = value ? "True" : "False";
    PodCondition before = previous.get(type);
    String since = before != null
            && status.equals(before.getStatus())
            && before.getLastTransitionTime() != null
        ? before.getLastTransitionTime()
        : time(now);
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(since)
        .withReason(
            value || !type.endsWith("Ready") || type.startsWith("PodReady")
                ? null
                : "ContainersNotReady")
        .build();
  }

  static String time(Instant t) {
    return t == null
        ? null
        : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
