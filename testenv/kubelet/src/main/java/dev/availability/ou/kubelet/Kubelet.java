package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The process kubelet: its nodes, a watch on the pods bound to each, one {@link PodWorker} per pod, and the
 * faults a machine really has — killed (SIGKILL to every process, heartbeats stop), partitioned (its pods'
 * links down and the API server out of reach; processes live on) and healed.
 */
final class Kubelet implements KubeletServices, AutoCloseable {
  enum NodeState {
    Up,
    Killed,
    Partitioned
  }

  private final KubernetesClient client;
  private final KubeletConfig config;
  private final ImageRoot image;
  private final PodNetwork network;
  private final PodVolumes volumes;
  private final PodEnv env;
  private final ApiForwarder forwarder;
  private final NodeAgent nodes;
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(
      2, r -> Thread.ofPlatform().daemon().name("kubelet-timer").unstarted(r));
  private final java.util.concurrent.ExecutorService statusWriter =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().daemon().name("pod-status").unstarted(r));
  private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(
      4, r -> Thread.ofPlatform().daemon().name("probes").unstarted(r));
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, NodeState> states = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();

  Kubelet(KubernetesClient client, KubeletConfig config, ImageRoot image) {
    this.client = client;
    this.config = config;
    this.image = image;
    this.network = new PodNetwork(config.podNetwork());
    this.volumes = new PodVolumes(client, config);
    this.env = new PodEnv(client);
    this.forwarder = new ApiForwarder(config.apiServer());
    this.nodes = new NodeAgent(client, config, network);
  }

  void start() throws Exception {
    network.createBridge();
    for (String node : config.nodes()) {
      states.put(node, NodeState.Up);
      forwarder.serve(node, config.apiSocket(node));
    }
    nodes.start();
    for (String node : config.nodes()) {
      informers.add(client
          .pods()
          .inAnyNamespace()
          .withField("spec.nodeName", node)
          .inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
              onPod(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
              onPod(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
              onGone(pod.getMetadata().getUid());
            }
          }));
    }
    timer.scheduleWithFixedDelay(
        () -> everyWorker(PodWorker::refreshTokens), 1, 1, TimeUnit.MINUTES);
    // A status the API server did not take (it was down, or the node cut off) is posted again, as
    // kubelets resync.
    timer.scheduleWithFixedDelay(() -> everyWorker(PodWorker::post), 5, 5, TimeUnit.SECONDS);
    Log.info(
        "process kubelet running nodes %s (pods on 10.%d.0.0/16)",
        config.nodes(), config.podNetwork());
  }

  /** Runs {@code task} on every worker; a failure is logged, never allowed to cancel the periodic schedule. */
  private void everyWorker(java.util.function.Consumer<PodWorker> task) {
    for (PodWorker w : workers.values()) {
      try {
        task.accept(w);
      } catch (Throwable e) {
        Log.info("pod %s: %s", w.name(), e);
      }
    }
  }

  private void onPod(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (!reachable(node)) return; // its kubelet hears nothing now; healing the node catches up
    PodWorker w = workers.get(pod.getMetadata().getUid());
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (w != null) {
        w.seen(pod);
        w.terminate(
            pod.getMetadata().getDeletionGracePeriodSeconds() == null
                ? 30
                : pod.getMetadata().getDeletionGracePeriodSeconds());
      } else {
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .withGracePeriod(0)
            .delete();
      }
      return;
    }
    if (w != null) {
      w.seen(pod);
      return;
    }
    if (pod.getStatus() != null
        && ("Succeeded".equals(pod.getStatus().getPhase())
            || "Failed".equals(pod.getStatus().getPhase()))) return;
    PodWorker created = new PodWorker(this, pod);
    if (workers.putIfAbsent(pod.getMetadata().getUid(), created) == null)
      timer.execute(created::start);
  }

  /** The pod object is gone: its processes (already dead on a killed node) and its network namespace go too. */
  private void onGone(String uid) {
    PodWorker w = workers.remove(uid);
    if (w != null) {
      w.teardown();
      Log.info("pod %s deleted: its processes are gone", w.name());
    }
  }

  /** The machine dies: every process of its pods gets SIGKILL, its pods' links go down, its heartbeats stop. */
  void killNode(String node) {
    require(node);
    states.put(node, NodeState.Killed);
    nodes.heartbeats(node, false);
    forwarder.cut(node);
    for (PodWorker w : on(node)) {
      w.killNow();
      network.link(w.podUid(), false);
    }
    Log.info("node %s killed (%d pods)", node, on(node).size());
  }

  /** The machine is cut off: its pods reach neither the API server nor other pods, and nothing reaches them. */
  void partitionNode(String node) {
    require(node);
    states.put(node, NodeState.Partitioned);
    nodes.heartbeats(node, false);
    forwarder.cut(node);
    for (PodWorker w : on(node)) network.link(w.podUid(), false);
    Log.info("node %s partitioned (%d pods keep running)", node, on(node).size());
  }

  /** Back: links up, API server reachable, heartbeats; pods caught up with what happened to them meanwhile. */
  void healNode(String node) {
    require(node);
    NodeState was = states.put(node, NodeState.Up);
    forwarder.restore(node);
    for (PodWorker w : on(node)) network.link(w.podUid(), true);
    nodes.heartbeats(node, true);
    List<Pod> bound =
        client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
    Set<String> present =
        bound.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    for (PodWorker w : on(node)) {
      if (!present.contains(w.podUid())) onGone(w.podUid());
      else if (was == NodeState.Killed)
        w.restartContainers(); // a rebooted machine's kubelet starts its pods again
    }
    bound.forEach(this::onPod);
    Log.info("node %s healed (was %s)", node, was);
  }

  void killContainer(String namespace, String pod, String container) {
    PodWorker w = workers.values().stream()
        .filter(x -> x.name().equals(namespace + "/" + pod))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "no pod " + namespace + "/" + pod + " runs on this kubelet's nodes"));
    ContainerSlot slot = w.slot(container);
    if (slot == null)
      throw new IllegalArgumentException(
          "pod " + namespace + "/" + pod + " has no container " + container);
    Log.info("killing container %s of %s/%s", container, namespace, pod);
    slot.kill();
  }

  Map<String, NodeState> nodeStates() {
    return Map.copyOf(states);
  }

  List<PodWorker> on(String node) {
    return workers.values().stream().filter(w -> w.node().equals(node)).toList();
  }

  private void require(String node) {
    if (!states.containsKey(node))
      throw new IllegalArgumentException(
          "no node " + node + " on this kubelet (nodes: " + config.nodes() + ")");
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public KubeletConfig config() {
    return config;
  }

  @Override
  public ImageRoot image() {
    return image;
  }

  @Override
  public PodNetwork network() {
    return network;
  }

  @Override
  public PodVolumes volumes() {
    return volumes;
  }

  @Override
  public PodEnv env() {
    return env;
  }

  @Override
  public ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public ScheduledExecutorService probes() {
    return probes;
  }

  @Override
  public java.util.concurrent.ExecutorService statusWriter() {
    return statusWriter;
  }

  @Override
  public boolean reachable(String node) {
    return states.get(node) == NodeState.Up;
  }

  @Override
  public boolean alive(String node) {
    return states.get(node) != NodeState.Killed;
  }

  @Override
  public void forget(PodWorker worker) {
    workers.remove(worker.podUid());
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    nodes.close();
    workers.values().forEach(PodWorker::teardown);
    forwarder.close();
    network.deleteBridge();
    timer.shutdownNow();
    probes.shutdownNow();
    statusWriter.shutdownNow();
  }
}
