package dev.availability.ou.operator;

import dev.availability.ou.api.DataDurability;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PlacementSpec;
import dev.availability.ou.api.ReplicationSpec;
import dev.availability.ou.api.StorageSpec;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.MemberSettings;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds a member pod from the unit's template: labels and assignment for the contract, anti-affinity to
 * the other member on the topology key, the nodes to avoid, the sidecar and its volumes. Pure.
 */
final class MemberPodBuilder {
  static final String DATA_VOLUME = "ou-data";
  static final String KEY_VOLUME = "ou-peer-key";
  static final String DATA_DIR = "/var/lib/ou";
  static final String KEY_DIR = "/var/run/ou/peer-key";
  static final int HEALTH_PORT = 7482;
  /**
   * The group the image's user (1001:1001) runs as. Given as the pod's fsGroup when the template names none: the
   * kubelet writes Secret volumes owned by root, so without it the sidecar, which runs as non-root, could not read
   * the peer key (found when the pods first ran for real, under the process kubelet).
   */
  static final long IMAGE_GROUP = 1001L;

  private final OperatorConfig.Sidecar sidecar;

  MemberPodBuilder(OperatorConfig.Sidecar sidecar) {
    this.sidecar = sidecar;
  }

  /**
   * {@code pooled}: a pool holds the unit, so its members keep off the pool's pods. A unit that names a pool but is
   * beyond its capacity has a standby of its own and no reason to: its members avoiding the pool's pods left a
   * 4-node cluster no node for the pool's next shared pod (SharedStandbyTest, once in three runs).
   */
  Pod build(
      OperationalUnit unit,
      CreateMember member,
      String templateHash,
      MemberSettings settings,
      boolean pooled) {
    String name = unit.getMetadata().getName();
    PodTemplateSpec template = Serialization.clone(unit.getSpec().getTemplate());
    Role role = Role.valueOf(member.role().name());
    Map<String, String> labels = new HashMap<>(
        Optional.ofNullable(template.getMetadata()).map(m -> m.getLabels()).orElse(Map.of()));
    labels.put(ContractKeys.UNIT_LABEL, name);
    labels.put(ContractKeys.MEMBER_LABEL, member.pod());
    labels.put(ContractKeys.ROLE_LABEL, role.label());
    labels.put(Naming.MANAGED_BY, Naming.OPERATOR);
    labels.put("app.kubernetes.io/instance", name);
    Map<String, String> annotations = new HashMap<>(
        Optional.ofNullable(template.getMetadata()).map(m -> m.getAnnotations()).orElse(Map.of()));
    annotations.put(
        ContractKeys.ASSIGNMENT_ANNOTATION,
        ContractJson.toJson(Assignments.of(role, member.epoch(), member.peer(), settings)));
    annotations.put(Naming.TEMPLATE_HASH, templateHash);

    PodSpec spec = template.getSpec();
    spec.setAffinity(affinity(
        spec.getAffinity(),
        name,
        pooled ? PoolViews.poolOf(unit) : Optional.empty(),
        unit.getSpec().getPlacement(),
        member));
    spec.setServiceAccountName(
        Naming.memberServiceAccount(name)); // SpecChecks refuses a template that names another
    spec.setTolerations(tolerations(spec.getTolerations()));
    if (spec.getSecurityContext() == null)
      spec.setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContext());
    if (spec.getSecurityContext().getFsGroup() == null)
      spec.getSecurityContext().setFsGroup(IMAGE_GROUP);
    List<Volume> volumes =
        new ArrayList<>(Optional.ofNullable(spec.getVolumes()).orElse(List.of()));
    volumes.add(dataVolume(unit.getSpec().getReplication().getStorage(), member.pod()));
    volumes.add(new VolumeBuilder()
        .withName(KEY_VOLUME)
        .withNewSecret()
        .withSecretName(ContractKeys.peerSecretName(name))
        .withDefaultMode(0440)
        .endSecret()
        .build());
    volumes.add(AssignmentVolume.volume());
    spec.setVolumes(volumes);
    List<Container> containers = new ArrayList<>(spec.getContainers());
    containers.add(sidecarContainer(unit, settings));
    spec.setContainers(containers);

    return new PodBuilder()
        .withNewMetadata()
        .withName(member.pod())
        .withNamespace(unit.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .addNewOwnerReference()
        .withApiVersion(unit.getApiVersion())
        .withKind(unit.getKind())
        .withName(name)
        .withUid(unit.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .endOwnerReference()
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /**
   * The taint manager never evicts a member from an unreachable or not-ready node: the operator decides (it fails the
   * primary over, replaces the standby, and deletes a member lost with its node once the unit no longer awaits it),
   * and an evicted member could not come back with its node (MemberRejoin). The template's own tolerations of these
   * taints win.
   */
  static final List<String> OPERATOR_DECIDES =
      List.of("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready");

  private static List<Toleration> tolerations(List<Toleration> template) {
    List<Toleration> all = new ArrayList<>(Optional.ofNullable(template).orElse(List.of()));
    for (String key : OPERATOR_DECIDES) {
      boolean own = all.stream()
          .anyMatch(t -> key.equals(t.getKey())
              && (t.getEffect() == null || "NoExecute".equals(t.getEffect())));
      if (!own)
        all.add(new TolerationBuilder()
            .withKey(key)
            .withOperator("Exists")
            .withEffect("NoExecute")
            .build());
    }
    return all;
  }

  private static Volume dataVolume(StorageSpec storage, String pod) {
    if (storage == null)
      return new VolumeBuilder()
          .withName(DATA_VOLUME)
          .withNewEmptyDir()
          .endEmptyDir()
          .build();
    // The member's own claim (UnitObjectsBuilder.memberClaim, made just before the pod): it
    // outlives the pod, so a member recreated under this name restarts on its log. A generic
    // ephemeral volume would die with the pod.
    return new VolumeBuilder()
        .withName(DATA_VOLUME)
        .withNewPersistentVolumeClaim()
        .withClaimName(Naming.memberClaim(pod))
        .endPersistentVolumeClaim()
        .build();
  }

  private Container sidecarContainer(OperationalUnit unit, MemberSettings settings) {
    ReplicationSpec replication = unit.getSpec().getReplication();
    Optional<SidecarSizing> sizing =
        SidecarSizing.forState(replication.getStateMemory(), sidecar.memoryLimit());
    List<EnvVar> env = new ArrayList<>(List.of(
        field("OU_NAMESPACE", "metadata.namespace"),
        field("OU_POD_NAME", "metadata.name"),
        field("OU_POD_IP", "status.podIP"),
        value("OU_UNIT", unit.getMetadata().getName()),
        value("OU_MODE", settings.mode().name()),
        value("OU_DATA_DIR", DATA_DIR),
        value("OU_LOG_RETENTION", replication.getLogRetention()),
        value("OU_PEER_KEY_FILE", KEY_DIR + "/key"),
        // The settings of the moment (MemberSettings, as its assignment carries them and every
        // later one will).
        value("OU_HEARTBEAT_INTERVAL", settings.heartbeatInterval().toMillis() + "ms"),
        value("OU_PEER_LOST_AFTER", settings.peerLostAfter().toMillis() + "ms"),
        value("OU_LEASE_SAFETY_MARGIN", settings.leaseSafetyMargin().toMillis() + "ms"),
        value("OU_LOCAL_API_ADDRESS", "127.0.0.1:" + ContractKeys.LOCAL_API_PORT),
        value("OU_STREAM_ENCRYPTION", replication.encryptsStream() ? "aes-256-gcm" : "none"),
        value("JAVA_TOOL_OPTIONS", javaOptions(sidecar.javaOptions(), replication, sizing)),
        value("MALLOC_ARENA_MAX", "2"),
        AssignmentVolume.env()));
    sidecar.fsync().ifPresent(f -> env.add(value("OU_FSYNC", f)));
    // Only when asked: a unit created before the field existed keeps its pods' template (and hash).
    if (replication.getDataDurability() == DataDurability.Preferred)
      env.add(value("OU_DATA_DURABILITY", "preferred"));
    return new ContainerBuilder()
        .withName(ContractKeys.SIDECAR_CONTAINER)
        .withImage(sidecar.image())
        .withImagePullPolicy(sidecar.imagePullPolicy())
        .withCommand(sidecar.command())
        .withEnv(env)
        .addNewPort()
        .withName("ou-replication")
        .withContainerPort(ContractKeys.REPLICATION_PORT)
        .endPort()
        .addNewPort()
        .withName("ou-health")
        .withContainerPort(HEALTH_PORT)
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/readyz")
        .withNewPort(HEALTH_PORT)
        .endHttpGet()
        .withPeriodSeconds(1)
        .withFailureThreshold(2)
        .endReadinessProbe()
        .withNewLivenessProbe()
        .withNewHttpGet()
        .withPath("/healthz")
        .withNewPort(HEALTH_PORT)
        .endHttpGet()
        .withPeriodSeconds(5)
        .withFailureThreshold(3)
        .endLivenessProbe()
        .withNewResources()
        .addToRequests("cpu", new Quantity(sidecar.cpuRequest()))
        .addToRequests(
            "memory",
            new Quantity(sizing.map(z -> z.requestMiB() + "Mi").orElse(sidecar.memoryRequest())))
        .addToLimits(
            "memory",
            new Quantity(sizing.map(z -> z.limitMiB() + "Mi").orElse(sidecar.memoryLimit())))
        .endResources()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .addToDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName(DATA_VOLUME)
        .withMountPath(DATA_DIR)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName(KEY_VOLUME)
        .withMountPath(KEY_DIR)
        .withReadOnly(true)
        .endVolumeMount()
        .addToVolumeMounts(AssignmentVolume.mount())
        .build();
  }

  /**
   * The sidecar's AOT cache (JDK 25), baked into the image by its build (image/train-aot-cache.sh): made by the image's
   * own JVM with the image's class path, so a brand-new pod's sidecar (a standby made after a node failure) starts with
   * its classes loaded, linked and profiled, not only a restarted one.
   */
  static final String AOT_CACHE = "/deployments/sidecar/ou-sidecar.aot";

  /** Options that choose the JVM's class sharing themselves; the JVM refuses any of them beside -XX:AOTCache. */
  private static final Pattern OWN_CLASS_SHARING =
      Pattern.compile("-Xshare:|SharedArchiveFile|AOTCache|AOTMode|ArchiveClassesAtExit");

  /**
   * The AOT cache first (a new sidecar starts in about half the time; a cache that does not match the JVM or its class
   * path, or an image without one, only costs that gain: the JVM warns and starts without it), unless the configured
   * options choose the class sharing themselves; then the configured options; then the heap for the declared state;
   * without stream encryption the sidecar needs no optimizing compiler (the cipher is what does), and C1 alone saves
   * memory.
   */
  static String javaOptions(
      String configured, ReplicationSpec replication, Optional<SidecarSizing> sizing) {
    StringBuilder o = new StringBuilder();
    if (!OWN_CLASS_SHARING.matcher(configured).find())
      o.append("-XX:AOTCache=").append(AOT_CACHE).append(' ');
    o.append(configured);
    sizing.ifPresent(z -> o.append(' ').append(z.heapOption()));
    if (!replication.encryptsStream()) o.append(" -XX:TieredStopAtLevel=1");
    return o.toString();
  }

  private static Affinity affinity(
      Affinity base,
      String unit,
      Optional<String> pool,
      PlacementSpec placement,
      CreateMember member) {
    Affinity a = base == null ? new Affinity() : new AffinityBuilder(base).build();
    PodAffinityTerm apart = new PodAffinityTermBuilder()
        .withTopologyKey(placement.getTopologyKey())
        .withNewLabelSelector()
        .addToMatchLabels(ContractKeys.UNIT_LABEL, unit)
        .endLabelSelector()
        .build();
    if (a.getPodAntiAffinity() == null)
      a.setPodAntiAffinity(new io.fabric8.kubernetes.api.model.PodAntiAffinity());
    List<PodAffinityTerm> apartTerms = new ArrayList<>(List.of(apart));
    // A pooled unit's members also avoid its pool's shared standby, which must not share a
    // failure domain with a primary it protects (docs/pools.md); the shared pod avoids the
    // primaries there when it is made.
    pool.ifPresent(p -> apartTerms.add(new PodAffinityTermBuilder()
        .withTopologyKey(placement.getTopologyKey())
        .withNewLabelSelector()
        .addToMatchLabels(ContractKeys.POOL_LABEL, p)
        .endLabelSelector()
        .build()));
    if (placement.getAntiAffinity() == PlacementSpec.AntiAffinity.Required) {
      List<PodAffinityTerm> terms = new ArrayList<>(Optional.ofNullable(
              a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
          .orElse(List.of()));
      terms.addAll(apartTerms);
      a.getPodAntiAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(terms);
    } else {
      List<WeightedPodAffinityTerm> terms = new ArrayList<>(Optional.ofNullable(
              a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
          .orElse(List.of()));
      apartTerms.forEach(t -> terms.add(new WeightedPodAffinityTerm(t, 100)));
      a.getPodAntiAffinity().setPreferredDuringSchedulingIgnoredDuringExecution(terms);
    }
    if (!member.avoidNodes().isEmpty()) {
      // A node field selector takes one value per requirement; requirements of a term are ANDed.
      List<NodeSelectorRequirement> notThere = member.avoidNodes().stream()
          .sorted()
          .map(n -> new NodeSelectorRequirement("metadata.name", "NotIn", List.of(n)))
          .toList();
      if (a.getNodeAffinity() == null)
        a.setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinity());
      var required = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
      if (required == null
          || required.getNodeSelectorTerms() == null
          || required.getNodeSelectorTerms().isEmpty()) {
        a.getNodeAffinity()
            .setRequiredDuringSchedulingIgnoredDuringExecution(
                new io.fabric8.kubernetes.api.model.NodeSelector(
                    List.of(new NodeSelectorTerm(List.of(), notThere))));
      } else {
        // Terms are ORed: the avoided nodes must be excluded from every one of them.
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
          List<NodeSelectorRequirement> fields =
              new ArrayList<>(Optional.ofNullable(term.getMatchFields()).orElse(List.of()));
          fields.addAll(notThere);
          term.setMatchFields(fields);
        }
      }
    }
    if (member.preferNode() != null) {
      if (a.getNodeAffinity() == null)
        a.setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinity());
      var preferred = new ArrayList<>(Optional.ofNullable(
              a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
          .orElse(List.of()));
      preferred.add(new io.fabric8.kubernetes.api.model.PreferredSchedulingTerm(
          new NodeSelectorTerm(
              List.of(),
              List.of(new NodeSelectorRequirement(
                  "metadata.name", "In", List.of(member.preferNode())))),
          100));
      a.getNodeAffinity().setPreferredDuringSchedulingIgnoredDuringExecution(preferred);
    }
    return a;
  }

  private static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }
}
