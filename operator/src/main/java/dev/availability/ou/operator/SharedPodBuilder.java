package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PoolPlacementSpec;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.MemberSettings;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a pool's shared standby pod (docs/pools.md "The shared pod") from the reference unit's member pod, so the
 * application container and the sidecar's settings stay those of a dedicated member: it is re-owned by the pool,
 * labelled per unit it holds, runs as the pool's ServiceAccount, keeps its data on an emptyDir (a pool has no
 * storage of its own yet), and its sidecar runs pooled ({@code OU_POOL=true}) with every held unit's peer key under
 * {@code OU_PEER_KEY_DIR/<unit>}. Pure.
 */
final class SharedPodBuilder {
  static final String KEY_DIR = "/var/run/ou/peer-keys";

  private final MemberPodBuilder members;

  SharedPodBuilder(MemberPodBuilder members) {
    this.members = members;
  }

  Pod build(
      StandbyPool pool,
      OperationalUnit reference,
      String name,
      List<String> units,
      Set<String> avoidNodes) {
    MemberSettings settings = ObservationBuilder.policy(reference).memberSettings();
    CreateMember as = new CreateMember(name, -1, Member.Role.Standby, 0, null, avoidNodes, null);
    Pod pod = members.build(reference, as, null, settings, true);
    String poolName = pool.getMetadata().getName();

    Map<String, String> labels = new HashMap<>(pod.getMetadata().getLabels());
    labels.remove(ContractKeys.UNIT_LABEL);
    labels.remove(ContractKeys.ROLE_LABEL);
    labels.put("app.kubernetes.io/instance", poolName);
    labels.put(ContractKeys.POOL_LABEL, poolName);
    labels.put(ContractKeys.MEMBER_LABEL, name);
    for (String u : units)
      labels.put(ContractKeys.poolUnitLabel(u), ContractKeys.POOL_UNIT_LABEL_VALUE);
    pod.getMetadata().setLabels(labels);
    Map<String, String> annotations = new HashMap<>(pod.getMetadata().getAnnotations());
    // Each unit's assignment is written by that unit's reconciler under its own key.
    annotations.remove(ContractKeys.ASSIGNMENT_ANNOTATION);
    annotations.remove(Naming.TEMPLATE_HASH);
    pod.getMetadata().setAnnotations(annotations);
    pod.getMetadata()
        .setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withApiVersion(pool.getApiVersion())
            .withKind(pool.getKind())
            .withName(poolName)
            .withUid(pool.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build()));

    var spec = pod.getSpec();
    spec.setServiceAccountName(serviceAccount(poolName));
    spec.setAffinity(apart(spec.getAffinity(), reference, units, pool.getSpec().getPlacement()));
    List<Volume> volumes = new ArrayList<>();
    for (Volume v : spec.getVolumes()) {
      if (MemberPodBuilder.KEY_VOLUME.equals(v.getName())) volumes.add(keys(units));
      else if (MemberPodBuilder.DATA_VOLUME.equals(v.getName()))
        volumes.add(new VolumeBuilder()
            .withName(v.getName())
            .withNewEmptyDir()
            .endEmptyDir()
            .build());
      else volumes.add(v);
    }
    spec.setVolumes(volumes);
    for (Container c : spec.getContainers()) {
      if (!ContractKeys.SIDECAR_CONTAINER.equals(c.getName())) continue;
      pooled(c, pool);
    }
    return pod;
  }

  /**
   * The ServiceAccount a pool's pods run as (its Role: every held unit's Lease, pods). Its name ends in
   * {@code -member} as every member's does: the chart's admission policy then limits it to its own pod's reports.
   */
  static String serviceAccount(String pool) {
    return pool + "-pool-member";
  }

  /**
   * The held units' own peer-key Secrets, projected into one volume, each unit's key at {@code <unit>}. The operator
   * may create Secrets but not read them, so a pool Secret holding copies is not possible: the units' own are mounted.
   */
  private static Volume keys(List<String> units) {
    List<VolumeProjection> sources = units.stream()
        .map(u -> {
          VolumeProjection p = new VolumeProjection();
          SecretProjection s = new SecretProjection();
          s.setName(ContractKeys.peerSecretName(u));
          s.setItems(List.of(new KeyToPath("key", null, u)));
          p.setSecret(s);
          return p;
        })
        .toList();
    return new VolumeBuilder()
        .withName(MemberPodBuilder.KEY_VOLUME)
        .withNewProjected()
        .withSources(sources)
        .withDefaultMode(0440)
        .endProjected()
        .build();
  }

  private static void pooled(Container c, StandbyPool pool) {
    List<EnvVar> env = new ArrayList<>();
    for (EnvVar e : c.getEnv()) {
      if (!Set.of("OU_UNIT", "OU_PEER_KEY_FILE").contains(e.getName())) env.add(e);
    }
    env.add(new EnvVarBuilder().withName("OU_POOL").withValue("true").build());
    env.add(new EnvVarBuilder().withName("OU_PEER_KEY_DIR").withValue(KEY_DIR).build());
    c.setEnv(env);
    c.getVolumeMounts().stream()
        .filter(m -> MemberPodBuilder.KEY_VOLUME.equals(m.getName()))
        .forEach(m -> m.setMountPath(KEY_DIR));
    String memory = Optional.ofNullable(pool.getSpec().getResources())
        .map(r -> r.getMemory())
        .orElse(null);
    if (memory != null) {
      // Sized for the pool: the sum of its units' states, as the pool's spec says.
      c.getResources().getRequests().put("memory", new Quantity(memory));
      c.getResources().getLimits().put("memory", new Quantity(memory));
    }
  }

  /**
   * Never on the topology domain of a primary it protects (required), preferably not in its zone: the pod's own
   * anti-affinity to the member pods of its units replaces the reference unit's member anti-affinity.
   */
  private static Affinity apart(
      Affinity built, OperationalUnit reference, List<String> units, PoolPlacementSpec placement) {
    Affinity template = Optional.ofNullable(
            reference.getSpec().getTemplate().getSpec().getAffinity())
        .orElse(new Affinity());
    PodAntiAffinity anti = Optional.ofNullable(template.getPodAntiAffinity())
        .map(a -> io.fabric8.kubernetes.client.utils.Serialization.clone(a))
        .orElse(new PodAntiAffinity());
    if (!units.isEmpty()) {
      List<PodAffinityTerm> required = new ArrayList<>(
          Optional.ofNullable(anti.getRequiredDuringSchedulingIgnoredDuringExecution())
              .orElse(List.of()));
      required.add(term(placement.getTopologyKey(), units));
      anti.setRequiredDuringSchedulingIgnoredDuringExecution(required);
      if (placement.getPreferredTopologyKey() != null) {
        List<WeightedPodAffinityTerm> preferred = new ArrayList<>(
            Optional.ofNullable(anti.getPreferredDuringSchedulingIgnoredDuringExecution())
                .orElse(List.of()));
        preferred.add(
            new WeightedPodAffinityTerm(term(placement.getPreferredTopologyKey(), units), 100));
        anti.setPreferredDuringSchedulingIgnoredDuringExecution(preferred);
      }
    }
    built.setPodAntiAffinity(anti);
    return built;
  }

  private static PodAffinityTerm term(String topologyKey, List<String> units) {
    return new PodAffinityTermBuilder()
        .withTopologyKey(topologyKey)
        .withNewLabelSelector()
        .withMatchExpressions(
            new LabelSelectorRequirement(ContractKeys.UNIT_LABEL, "In", List.copyOf(units)))
        .endLabelSelector()
        .build();
  }
}
