package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One pod on one node, from start to its final deletion: the sandbox (network namespace, API forwarder,
 * volumes), one {@link ContainerSlot} per container (started, probed, restarted per restartPolicy with the
 * kubelet's back-off), and the status it posts on every change — unless its node is cut from the API server.
 */
final class PodWorker {
  private final KubeletServices k;
  private final String uid;
  private final String node;
  private volatile Pod pod;
  private final Map<String, ContainerSlot> slots = new LinkedHashMap<>();
  private final Object postLock = new Object();
  private final java.util.concurrent.atomic.AtomicBoolean postQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile String ip;
  private volatile Map<String, Path> volumes;
  private Process apiSocat;
  private volatile Instant startTime;
  // Read without the worker's lock: a container slot asks while holding its own lock, and the
  // status writer takes the slots' locks; one lock order (worker, then slot) and no lock for this
  // flag keep them from deadlocking.
  private volatile boolean stopping;
  private PodStatus posted;
  private Instant tokenWritten = Instant.EPOCH;

  PodWorker(KubeletServices k, Pod pod) {
    this.k = k;
    this.pod = pod;
    this.uid = pod.getMetadata().getUid();
    this.node = pod.getSpec().getNodeName();
    for (Container c : pod.getSpec().getContainers())
      slots.put(c.getName(), new ContainerSlot(this, c));
  }

  String node() {
    return node;
  }

  String podUid() {
    return uid;
  }

  String name() {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  Pod pod() {
    return pod;
  }

  String ip() {
    return ip;
  }

  KubeletServices services() {
    return k;
  }

  boolean stopping() {
    return stopping;
  }

  void seen(Pod latest) {
    pod = latest;
  }

  /** Sets up the sandbox and starts every container; a failure is retried, reported as the containers' waiting reason. */
  synchronized void start() {
    if (stopping) return;
    if (startTime == null) startTime = Instant.now();
    try {
      if (ip == null) {
        ip = k.network().allocate(k.config().nodeIndex(node));
        k.network().createSandbox(uid, ip);
        startApiForwarder();
      }
      volumes = k.volumes().prepare(pod);
      tokenWritten = Instant.now();
      for (ContainerSlot s : slots.values()) s.start();
      Log.info("pod %s started on %s at %s", name(), node, ip);
    } catch (Exception e) {
      Log.info("pod %s: could not start (%s); trying again in 2 s", name(), e.getMessage());
      slots.values().forEach(s -> s.waiting("ContainerCreating"));
      k.timer().schedule(this::start, 2, TimeUnit.SECONDS);
    }
    post();
  }

  synchronized void restartContainers() {
    stopping = false;
    if (apiSocat == null || !apiSocat.isAlive()) {
      try {
        startApiForwarder();
      } catch (java.io.IOException e) {
        Log.info("pod %s: could not restart its API forwarder: %s", name(), e.getMessage());
      }
    }
    for (ContainerSlot s : slots.values()) {
      try {
        if (!s.alive()) s.start();
      } catch (java.io.IOException e) {
        Log.info("pod %s: could not restart a container: %s", name(), e.getMessage());
      }
    }
    post();
  }

  /** The API server inside the pod at 127.0.0.1:6443: socat in the pod's network namespace, to its node's socket. */
  private void startApiForwarder() throws java.io.IOException {
    apiSocat = new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            PodNetwork.namespace(uid),
            "socat",
            "TCP-LISTEN:" + KubeletConfig.API_PORT_IN_POD + ",bind=127.0.0.1,fork,reuseaddr",
            "UNIX-CONNECT:" + k.config().apiSocket(node))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  Map<String, Path> volumes() {
    return volumes;
  }

  ContainerSlot slot(String container) {
    return slots.get(container);
  }

  /** Graceful: SIGTERM to every container, SIGKILL after the grace period, then the sandbox goes and the pod object with it. */
  void terminate(long graceSeconds) {
    synchronized (this) {
      if (stopping) return;
      stopping = true;
      slots.values().forEach(ContainerSlot::terminate);
    }
    Thread.ofVirtual().start(() -> {
      Instant deadline = Instant.now().plusSeconds(graceSeconds);
      for (ContainerSlot s : slots.values()) s.awaitExit(Duration.between(Instant.now(), deadline));
      slots.values().forEach(ContainerSlot::kill);
      for (ContainerSlot s : slots.values()) s.awaitExit(Duration.ofSeconds(10));
      post();
      teardown();
      try {
        k.client()
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .withGracePeriod(0)
            .delete();
      } catch (KubernetesClientException e) {
        Log.info("pod %s: final deletion failed: %s", name(), e.getMessage());
      }
      k.forget(this);
      Log.info("pod %s terminated", name());
    });
  }

  /** SIGKILL to everything, no status (the pod object is gone, or its machine died). */
  void killNow() {
    synchronized (this) {
      stopping = true;
      slots.values().forEach(ContainerSlot::kill);
      if (apiSocat != null) apiSocat.destroyForcibly();
    }
  }

  void teardown() {
    killNow();
    k.network().deleteSandbox(uid);
    if (ip != null) k.network().release(ip);
  }

  /** Writes fresh projected volumes (the ServiceAccount token) every 10 minutes. */
  void refreshTokens() {
    if (stopping()
        || volumes == null
        || Duration.between(tokenWritten, Instant.now()).toMinutes() < 10) return;
    try {
      k.volumes().refresh(pod);
      tokenWritten = Instant.now();
    } catch (Exception e) {
      Log.info("pod %s: could not refresh its projected volumes: %s", name(), e.getMessage());
    }
  }

  /**
   * Posts the status when it changed, unless the node cannot reach the API server (the periodic resync posts it
   * later). Asynchronous: a probe or an exiting container never waits on the API server (while it was down, waiting
   * posts held every probe thread and no probe ran).
   */
  /**
   * The API server's conditions differ from this kubelet's: someone else changed them. The node lifecycle controller
   * sets Ready False on every pod of a node it judged Unknown (after an API server outage, every node); a kubelet's
   * status manager reconciles the API's status with its own, so the pods read Ready again once their node does.
   */
  private static boolean drifted(PodStatus inApi, PodStatus ours) {
    if (inApi == null || inApi.getConditions() == null) return true;
    Map<String, String> api = new LinkedHashMap<>();
    inApi.getConditions().forEach(c -> api.put(c.getType(), c.getStatus()));
    return ours.getConditions().stream().anyMatch(c -> !c.getStatus().equals(api.get(c.getType())));
  }

  void post() {
    if (postQueued.compareAndSet(false, true)) k.statusWriter().execute(this::postNow);
  }

  private void postNow() {
    postQueued.set(false);
    if (!k.reachable(node)) return;
    synchronized (postLock) {
      List<ContainerView> views = new ArrayList<>();
      slots.values().forEach(s -> views.add(s.view()));
      Map<String, PodCondition> previous = new LinkedHashMap<>();
      if (posted != null) posted.getConditions().forEach(c -> previous.put(c.getType(), c));
      PodStatus status = PodStatuses.build(
          Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always"),
          ip,
          ip,
          startTime,
          views,
          previous,
          Instant.now());
      if (status.equals(posted) && !drifted(pod.getStatus(), status)) return;
      try {
        Pod patch =
            new PodBuilder().withNewMetadata().endMetadata().withStatus(status).build();
        k.client()
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
        posted = status;
      } catch (RuntimeException e) {
        if (!(e instanceof KubernetesClientException k && k.getCode() == 404))
          Log.info("pod %s: could not post its status: %s", name(), e.getMessage());
      }
    }
  }
}
