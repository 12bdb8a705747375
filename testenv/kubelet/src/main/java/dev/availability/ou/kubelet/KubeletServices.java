package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.ScheduledExecutorService;

/** What a pod's worker uses of its kubelet: the API, the image, the network, volumes, environment, timers, and its node's state. */
interface KubeletServices {
  KubernetesClient client();

  KubeletConfig config();

  ImageRoot image();

  PodNetwork network();

  PodVolumes volumes();

  PodEnv env();

  /** Restarts and retries. */
  ScheduledExecutorService timer();

  /** Writes pod statuses to the API server, one at a time, apart from probes and restarts. */
  java.util.concurrent.ExecutorService statusWriter();

  /** Probes, which block for up to their timeout. */
  ScheduledExecutorService probes();

  /** The node's kubelet can reach the API server (neither killed nor partitioned). */
  boolean reachable(String node);

  /** The node's machine runs (not killed; a partitioned node runs). */
  boolean alive(String node);

  /** The worker is done (its pod was deleted). */
  void forget(PodWorker worker);
}
