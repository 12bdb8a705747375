package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The real garbage collector of kube-controller-manager follows owner references. */
@KubernetesCluster
class GarbageCollectionTest {

  private static final Duration GC = Duration.ofSeconds(60);

  @Test
  void deletingAnOwnerDeletesItsDependents(KubernetesClient client, TestNamespace ns) {
    ConfigMap owner = configMap(client, ns, "owner", null);
    ConfigMap dependent = configMap(client, ns, "dependent", ownedBy(owner));
    Pod pod = Workloads.pod("dependent-pod", Map.of("app", "gc"));
    pod.getMetadata().setOwnerReferences(List.of(ownedBy(owner)));
    client.pods().inNamespace(ns.name()).resource(pod).create();
    await("the dependent pod running")
        .atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.isReady(
            client.pods().inNamespace(ns.name()).withName("dependent-pod").get()));

    long start = System.nanoTime();
    client
        .configMaps()
        .inNamespace(ns.name())
        .withName("owner")
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();

    await("dependents collected")
        .atMost(GC)
        .until(() -> client
                    .configMaps()
                    .inNamespace(ns.name())
                    .withName(dependent.getMetadata().getName())
                    .get()
                == null
            && client.pods().inNamespace(ns.name()).withName("dependent-pod").get() == null);
    Progress.log("garbage collector removed the dependents in " + Workloads.seconds(start));
  }

  @Test
  void foregroundDeletionRemovesTheOwnerOnlyAfterItsDependents(
      KubernetesClient client, TestNamespace ns) {
    ConfigMap owner = configMap(client, ns, "fg-owner", null);
    OwnerReference blocking =
        new OwnerReferenceBuilder(ownedBy(owner)).withBlockOwnerDeletion(true).build();
    configMap(client, ns, "fg-dependent", blocking);
    List<String> deletions = new CopyOnWriteArrayList<>();
    List<String> ownerFinalizers = new CopyOnWriteArrayList<>();
    try (SharedIndexInformer<ConfigMap> informer = client
        .configMaps()
        .inNamespace(ns.name())
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {}

          @Override
          public void onUpdate(ConfigMap old, ConfigMap cm) {
            if (cm.getMetadata().getName().equals("fg-owner")) {
              ownerFinalizers.addAll(cm.getMetadata().getFinalizers());
            }
          }

          @Override
          public void onDelete(ConfigMap cm, boolean unknownFinalState) {
            deletions.add(cm.getMetadata().getName());
          }
        })) {
      client
          .configMaps()
          .inNamespace(ns.name())
          .withName("fg-owner")
          .withPropagationPolicy(DeletionPropagation.FOREGROUND)
          .delete();

      await("owner and dependent gone")
          .atMost(GC)
          .until(() -> deletions.containsAll(List.of("fg-owner", "fg-dependent")));
    }
    assertThat(deletions).containsSubsequence("fg-dependent", "fg-owner");
    assertThat(ownerFinalizers)
        .as("the owner waits under the foregroundDeletion finalizer")
        .contains("foregroundDeletion");
  }

  @Test
  void orphanDeletionKeepsTheDependentsAndDropsTheirOwnerReference(
      KubernetesClient client, TestNamespace ns) {
    ConfigMap owner = configMap(client, ns, "orphan-owner", null);
    configMap(client, ns, "orphan-dependent", ownedBy(owner));

    client
        .configMaps()
        .inNamespace(ns.name())
        .withName("orphan-owner")
        .withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();

    await("owner gone")
        .atMost(GC)
        .until(() ->
            client.configMaps().inNamespace(ns.name()).withName("orphan-owner").get() == null);
    ConfigMap orphan =
        client.configMaps().inNamespace(ns.name()).withName("orphan-dependent").get();
    assertThat(orphan).isNotNull();
    assertThat(orphan.getMetadata().getOwnerReferences()).isEmpty();
  }

  private static ConfigMap configMap(
      KubernetesClient client, TestNamespace ns, String name, OwnerReference owner) {
    ConfigMapBuilder b =
        new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("k", "v");
    if (owner != null) {
      b.editMetadata().withOwnerReferences(owner).endMetadata();
    }
    return client.configMaps().inNamespace(ns.name()).resource(b.build()).create();
  }

  private static OwnerReference ownedBy(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .build();
  }
}
