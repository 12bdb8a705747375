package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.opentest4j.TestAbortedException;

/**
 * Failures a test can inject. No kubelet runs under KWOK, so what a kubelet would report (readiness, container
 * crashes) is written to {@code pods/status} here, the way a kubelet would write it; node failures and control-plane
 * restarts go through {@code testenv/local-cluster} and need a cluster it runs (other clusters skip those tests).
 */
public final class ClusterFaults {

  private static final int CONFLICT_RETRIES = 20;

  private final KubernetesClient client;
  private final Optional<LocalClusterHandle> local;

  public ClusterFaults(KubernetesClient client, Optional<LocalClusterHandle> local) {
    this.client = Objects.requireNonNull(client);
    this.local = Objects.requireNonNull(local);
  }

  /** Whether node failures and restarts can be injected (the cluster is run by testenv/local-cluster). */
  public boolean canInjectControlPlaneFaults() {
    return local.isPresent();
  }

  // --- pods ------------------------------------------------------------------------------------

  /** Sets the pod's {@code Ready} and {@code ContainersReady} conditions (and its containers' {@code ready}). */
  public Pod setPodReady(String namespace, String pod, boolean ready) {
    return updatePodStatus(namespace, pod, status -> {
      for (ContainerStatus cs : status.getContainerStatuses()) {
        cs.setReady(ready);
      }
      setReadyConditions(status, ready);
      return status;
    });
  }

  /** The container runs (again) and is ready; a container that was not running counts a restart. */
  public Pod setContainerRunning(String namespace, String pod, String container) {
    return updateContainer(namespace, pod, container, cs -> {
      ContainerState previous = cs.getState();
      boolean wasRunning = previous != null && previous.getRunning() != null;
      if (!wasRunning) {
        cs.setRestartCount(restarts(cs) + 1);
        if (previous != null && previous.getTerminated() != null) {
          cs.setLastState(new ContainerStateBuilder()
              .withTerminated(previous.getTerminated())
              .build());
        }
      }
      cs.setState(new ContainerStateBuilder()
          .withNewRunning()
          .withStartedAt(now())
          .endRunning()
          .build());
      cs.setReady(true);
      cs.setStarted(true);
    });
  }

  /** The container exited with {@code exitCode} (reason {@code Completed} for 0, else {@code Error}); not ready. */
  public Pod setContainerTerminated(String namespace, String pod, String container, int exitCode) {
    return updateContainer(namespace, pod, container, cs -> {
      String startedAt = Optional.ofNullable(cs.getState())
          .map(ContainerState::getRunning)
          .map(r -> r.getStartedAt())
          .orElse(now());
      cs.setState(new ContainerStateBuilder()
          .withNewTerminated()
          .withExitCode(exitCode)
          .withReason(exitCode == 0 ? "Completed" : "Error")
          .withStartedAt(startedAt)
          .withFinishedAt(now())
          .endTerminated()
          .build());
      cs.setReady(false);
      cs.setStarted(false);
    });
  }

  /**
   * The container crashed and waits in {@code CrashLoopBackOff}: its last state is a termination with exit code 1
   * (or the termination it already had), its restart count goes up by one, it is not ready.
   */
  public Pod setContainerCrashLoopBackOff(String namespace, String pod, String container) {
    return updateContainer(namespace, pod, container, cs -> {
      ContainerState previous = cs.getState();
      ContainerState last = previous != null && previous.getTerminated() != null
          ? new ContainerStateBuilder().withTerminated(previous.getTerminated()).build()
          : new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(1)
              .withReason("Error")
              .withStartedAt(Optional.ofNullable(previous)
                  .map(ContainerState::getRunning)
                  .map(r -> r.getStartedAt())
                  .orElse(now()))
              .withFinishedAt(now())
              .endTerminated()
              .build();
      cs.setLastState(last);
      cs.setState(new ContainerStateBuilder()
          .withNewWaiting()
          .withReason("CrashLoopBackOff")
          .withMessage("back-off 10s restarting failed container=" + container + " pod=" + pod)
          .endWaiting()
          .build());
      cs.setRestartCount(restarts(cs) + 1);
      cs.setReady(false);
      cs.setStarted(false);
    });
  }

  /** Deletes the pod at once (grace period 0), as a node-level kill would. */
  public void deletePod(String namespace, String pod) {
    client.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
  }

  /**
   * Reads the pod, applies {@code change} to its status and writes it to {@code pods/status} with optimistic
   * locking, retrying on conflicts.
   */
  public Pod updatePodStatus(String namespace, String pod, UnaryOperator<PodStatus> change) {
    for (int attempt = 1; ; attempt++) {
      Pod current = client.pods().inNamespace(namespace).withName(pod).get();
      if (current == null) {
        throw new IllegalArgumentException("no pod " + namespace + "/" + pod);
      }
      PodStatus status = current.getStatus() == null ? new PodStatus() : current.getStatus();
      current.setStatus(change.apply(status));
      try {
        return client.pods().inNamespace(namespace).resource(current).updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= CONFLICT_RETRIES) {
          throw e;
        }
      }
    }
  }

  private Pod updateContainer(
      String namespace,
      String pod,
      String container,
      java.util.function.Consumer<ContainerStatus> change) {
    return updatePodStatus(namespace, pod, status -> {
      List<ContainerStatus> statuses = new ArrayList<>(status.getContainerStatuses());
      ContainerStatus cs = statuses.stream()
          .filter(c -> container.equals(c.getName()))
          .findFirst()
          .orElseGet(() -> {
            ContainerStatus fresh = new ContainerStatusBuilder()
                .withName(container)
                .withRestartCount(0)
                .withImage(imageOf(namespace, pod, container))
                .build();
            statuses.add(fresh);
            return fresh;
          });
      change.accept(cs);
      status.setContainerStatuses(statuses);
      setReadyConditions(
          status, statuses.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady())));
      return status;
    });
  }

  private String imageOf(String namespace, String pod, String container) {
    Pod p = client.pods().inNamespace(namespace).withName(pod).get();
    return p.getSpec().getContainers().stream()
        .filter(c -> container.equals(c.getName()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "pod " + namespace + "/" + pod + " has no container " + container))
        .getImage();
  }

  private static int restarts(ContainerStatus cs) {
    return cs.getRestartCount() == null ? 0 : cs.getRestartCount();
  }

  /** Sets Ready and ContainersReady as a kubelet does: the transition time moves only when the status changes. */
  static void setReadyConditions(PodStatus status, boolean ready) {
    List<PodCondition> conditions = new ArrayList<>(status.getConditions());
    for (String type : List.of("ContainersReady", "Ready")) {
      String value = ready ? "True" : "False";
      PodCondition existing =
          conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
      if (existing != null && value.equals(existing.getStatus())) {
        continue;
      }
      PodCondition updated = new PodConditionBuilder()
          .withType(type)
          .withStatus(value)
          .withLastTransitionTime(now())
          .withReason(ready ? null : "ContainersNotReady")
          .withMessage(
              ready ? null : "containers with unready status (set by the test through pods/status)")
          .build();
      if (existing != null) {
        conditions.set(conditions.indexOf(existing), updated);
      } else {
        conditions.add(updated);
      }
    }
    status.setConditions(conditions);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  // --- nodes and control plane (testenv/local-cluster only) ------------------------------------

  /**
   * Makes the node stop heart-beating, as a node whose kubelet died: the node lifecycle controller then marks it
   * NotReady (after the cluster's grace period), taints it, and evicts its pods. Returns at once.
   */
  public void failNode(String node) {
    Progress.log("failing node " + node);
    localCluster("failing a node").failNode(node);
  }

  /** Lets the node heart-beat again; it turns Ready and its taints go. Returns at once. */
  public void healNode(String node) {
    Progress.log("healing node " + node);
    localCluster("healing a node").healNode(node);
  }

  /** Kills one control-plane process and starts it again; returns when the API server answers again. */
  public void restart(ControlPlaneComponent component) {
    localCluster("restarting " + component.processName()).restart(component);
  }

  /** The local cluster, or an aborted (skipped) test when the cluster is not one testenv/local-cluster runs. */
  public LocalClusterHandle localCluster(String why) {
    return local.orElseThrow(
        () -> new TestAbortedException(
            why + " needs a cluster run by testenv/local-cluster; "
                + "this run uses another cluster (set OU_TEST_CLUSTER_NAME when OU_TEST_KUBECONFIG names a local one)"));
  }
}
