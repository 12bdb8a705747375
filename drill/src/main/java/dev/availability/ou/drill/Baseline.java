package dev.availability.ou.drill;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * What users run without the operator: the same app and sidecar as a plain one-replica Deployment behind a
 * Service, with the same probes. Its sidecar runs alone (standalone control, primary, acknowledging at once:
 * there is no standby to wait for) and keeps its state in a directory of the node it runs on, so a pod that
 * comes back on another node starts empty: what that loses, the client counts.
 */
final class Baseline {
  static final String NAME = "baseline";
  private final KubernetesClient client;
  private final String namespace;

  /**
   * Creates the Deployment and its Service from {@code member}, a running member pod of the unit (its containers and
   * probes), its pod kept on {@code nodes}.
   */
  Baseline(KubernetesClient client, String namespace, Pod member, SubjectNodes nodes) {
    this.client = client;
    this.namespace = namespace;
    PodSpec spec = Serialization.clone(member.getSpec());
    spec.setNodeName(null);
    spec.setAffinity(null);
    nodes.confine(spec);
    spec.setServiceAccount(null);
    spec.setVolumes(new java.util.ArrayList<>(spec.getVolumes().stream()
        .filter(v -> !v.getName().startsWith("kube-api-access"))
        .toList()));
    for (Container c : spec.getContainers()) {
      c.setVolumeMounts(c.getVolumeMounts().stream()
          .filter(m -> !m.getName().startsWith("kube-api-access"))
          .toList());
    }
    spec.getVolumes().removeIf(v -> v.getName().equals("ou-data"));
    spec.getVolumes()
        .add(new VolumeBuilder()
            .withName("ou-data")
            .withNewHostPath()
            .withPath("/var/lib/ou-baseline/" + namespace)
            .withType("DirectoryOrCreate")
            .endHostPath()
            .build());
    Container sidecar = spec.getContainers().stream()
        .filter(c -> c.getName().equals("ou-sidecar"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(
            "no ou-sidecar container in " + member.getMetadata().getName()));
    List<EnvVar> env = new java.util.ArrayList<>(
        sidecar.getEnv().stream().filter(e -> !e.getName().equals("OU_MODE")).toList());
    env.add(new EnvVar("OU_CONTROL", "standalone", null));
    env.add(new EnvVar("OU_ROLE", "primary", null));
    env.add(new EnvVar("OU_EPOCH", "1", null));
    env.add(new EnvVar("OU_MODE", "Asynchronous", null));
    sidecar.setEnv(env);
    client
        .resource(new DeploymentBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .addToMatchLabels("app", NAME)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", NAME))
            .endMetadata()
            .withSpec(spec)
            .endTemplate()
            .endSpec()
            .build())
        .create();
    client
        .resource(new ServiceBuilder()
            .withNewMetadata()
            .withName(NAME)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .addToSelector("app", NAME)
            .addNewPort()
            .withName("http")
            .withPort(80)
            .withNewTargetPort(8080)
            .endPort()
            .endSpec()
            .build())
        .create();
  }

  /** The baseline's current pod (not being deleted), or null. */
  Pod pod() {
    return client.pods().inNamespace(namespace).withLabel("app", NAME).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst()
        .orElse(null);
  }

  /** Whether the baseline has exactly one pod (besides any being deleted: on a dead node they stay so) and it is Ready. */
  boolean ready() {
    List<Pod> pods =
        client.pods().inNamespace(namespace).withLabel("app", NAME).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .toList();
    return pods.size() == 1
        && pods.get(0).getStatus() != null
        && pods.get(0).getStatus().getConditions() != null
        && pods.get(0).getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
