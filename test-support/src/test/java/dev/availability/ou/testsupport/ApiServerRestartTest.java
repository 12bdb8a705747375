package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The kube-apiserver process is killed and started again while a Fabric8 informer watches: the informer reconnects
 * and sees the changes made after the restart, as an operator's informers must.
 */
@KubernetesCluster
class ApiServerRestartTest {

  @Test
  void anInformerRecoversFromAnApiServerRestartAndSeesLaterChanges(
      KubernetesClient client, TestNamespace ns, ClusterFaults faults) {
    assumeThat(faults.canInjectControlPlaneFaults())
        .as("restarts need a cluster run by testenv/local-cluster")
        .isTrue();
    Map<String, String> seen =
        new ConcurrentHashMap<>(); // name -> data value the informer saw last
    var configMaps = client.configMaps().inNamespace(ns.name());
    try (SharedIndexInformer<ConfigMap> informer = configMaps.inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap cm) {
        seen.put(cm.getMetadata().getName(), cm.getData().getOrDefault("v", ""));
      }

      @Override
      public void onUpdate(ConfigMap old, ConfigMap cm) {
        seen.put(cm.getMetadata().getName(), cm.getData().getOrDefault("v", ""));
      }

      @Override
      public void onDelete(ConfigMap cm, boolean unknownFinalState) {
        seen.remove(cm.getMetadata().getName());
      }
    })) {
      configMaps.resource(configMap("before", "1")).create();
      await("the informer sees 'before'")
          .atMost(Duration.ofSeconds(30))
          .until(() -> "1".equals(seen.get("before")));

      faults.restart(ControlPlaneComponent.KUBE_APISERVER);

      long start = System.nanoTime();
      await("the API server accepts writes again")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> configMaps.resource(configMap("after", "2")).create() != null);
      configMaps.withName("before").edit(cm -> {
        cm.getData().put("v", "3");
        return cm;
      });

      await("the informer sees the changes made after the restart")
          .atMost(Duration.ofSeconds(120))
          .until(() -> "2".equals(seen.get("after")) && "3".equals(seen.get("before")));
      Progress.log("informer saw the post-restart changes " + Workloads.seconds(start)
          + " after the restart");
      assertThat(informer.isWatching()).isTrue();
      assertThat(informer.getStore().list())
          .extracting(cm -> cm.getMetadata().getName())
          .contains("before", "after");
    }
  }

  private static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToData("v", value)
        .build();
  }
}
