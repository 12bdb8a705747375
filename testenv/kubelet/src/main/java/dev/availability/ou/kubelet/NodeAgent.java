package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's node side: registers each node (without kwok's annotation, so kwok leaves the node and its pods
 * to us), posts its status Ready, and renews its Lease in kube-node-lease every quarter of the lease, as a
 * kubelet does. A node that is killed or partitioned stops heart-beating: the real node lifecycle controller
 * then marks it NotReady, taints it and evicts its pods.
 */
final class NodeAgent implements AutoCloseable {
  static final String LABEL = "testenv.ou.availability.dev/process-kubelet";
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private final KubernetesClient client;
  private final KubeletConfig config;
  private final PodNetwork network;
  private final Map<String, Boolean> beating = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().daemon().name("heartbeats").unstarted(r));

  NodeAgent(KubernetesClient client, KubeletConfig config, PodNetwork network) {
    this.client = client;
    this.config = config;
    this.network = network;
  }

  void start() {
    for (String node : config.nodes()) {
      register(node);
      beating.put(node, true);
    }
    long every = Math.max(250, config.leaseSeconds() * 1000L / 4);
    timer.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
  }

  boolean alive(String node) {
    return beating.getOrDefault(node, false);
  }

  /** Stops (false) or resumes (true) the node's heartbeats; resuming posts Ready at once. */
  void heartbeats(String node, boolean on) {
    beating.put(node, on);
    if (on) postReady(node);
  }

  private void register(String node) {
    int i = config.nodeIndex(node);
    Node n = new NodeBuilder()
        .withNewMetadata()
        .withName(node)
        .addToLabels(Map.of(
            LABEL,
            "true",
            "kubernetes.io/hostname",
            node,
            "kubernetes.io/os",
            "linux",
            "kubernetes.io/arch",
            "amd64",
            "type",
            "process",
            "topology.kubernetes.io/zone",
            config.zones().get(node),
            "topology.kubernetes.io/region",
            "local"))
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(network.podCidr(i))
        .withPodCIDRs(network.podCidr(i))
        .endSpec()
        .build();
    client.nodes().resource(n).serverSideApply();
    postReady(node);
  }

  private void postReady(String node) {
    String now = now();
    List<NodeCondition> conditions = List.of(
        condition(
            "Ready", "True", "KubeletReady", "the process kubelet is posting ready status", now),
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "", now),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "", now),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "", now));
    Map<String, Quantity> capacity = Map.of(
        "cpu", new Quantity("32"), "memory", new Quantity("256Gi"), "pods", new Quantity("110"));
    io.fabric8.kubernetes.api.model.NodeStatus status =
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .withConditions(conditions)
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .withAddresses(new io.fabric8.kubernetes.api.model.NodeAddress(node, "Hostname"))
            .withNewNodeInfo()
            .withKubeletVersion("v0-process-kubelet")
            .withOperatingSystem("linux")
            .withArchitecture("amd64")
            .withContainerRuntimeVersion("ou-process://1")
            .withKernelVersion("")
            .withOsImage("ou-operator image")
            .withBootID("")
            .withMachineID("")
            .withSystemUUID("")
            .withKubeProxyVersion("")
            .endNodeInfo()
            .build();
    try {
      // A merge patch of the status alone: no resourceVersion to conflict with the node lifecycle
      // controller's writes.
      client
          .nodes()
          .withName(node)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(new NodeBuilder()
                  .withNewMetadata()
                  .endMetadata()
                  .withStatus(status)
                  .build()));
    } catch (RuntimeException e) {
      Log.info("could not post the status of node %s: %s", node, e.getMessage());
    }
  }

  private void beat() {
    for (String node : config.nodes()) {
      if (!alive(node)) continue;
      try {
        renew(node);
        if (!readyInTheApi(node)) postReady(node);
      } catch (
          Throwable
              e) { // anything escaping would cancel the schedule, and the node would silently die
        Log.info("could not renew the lease of node %s: %s", node, e);
      }
    }
  }

  /**
   * Whether the API server shows the node Ready. The node lifecycle controller marks a node Unknown when its
   * heartbeats stop (the API server was down, say); as a kubelet compares the node's status with its own and
   * posts again, a live node posts Ready once it sees that.
   */
  private boolean readyInTheApi(String node) {
    Node n = client.nodes().withName(node).get();
    return n != null
        && n.getStatus() != null
        && n.getStatus().getConditions() != null
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private void renew(String node) {
    var leases = client.leases().inNamespace("kube-node-lease");
    Lease current = leases.withName(node).get();
    String now =
        ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS).format(MICRO);
    if (current == null) {
      leases
          .resource(new LeaseBuilder()
              .withNewMetadata()
              .withName(node)
              .withNamespace("kube-node-lease")
              .endMetadata()
              .withNewSpec()
              .withHolderIdentity(node)
              .withLeaseDurationSeconds(config.leaseSeconds())
              .withRenewTime(ZonedDateTime.parse(now))
              .endSpec()
              .build())
          .create();
      return;
    }
    current.getSpec().setHolderIdentity(node);
    current.getSpec().setLeaseDurationSeconds(config.leaseSeconds());
    current.getSpec().setRenewTime(ZonedDateTime.parse(now));
    leases.resource(current).update();
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, String now) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastHeartbeatTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(
        java.time.Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
