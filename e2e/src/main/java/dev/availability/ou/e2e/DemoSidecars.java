package dev.availability.ou.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plays the sidecars of one namespace's unit pods until killed (KWOK runs no containers, so in the demo
 * this program does through the API server what each real sidecar would). Usage: DemoSidecars KUBECONFIG NAMESPACE
 */
public final class DemoSidecars {
  public static void main(String[] args) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    SidecarDoubles doubles = new SidecarDoubles(client, args[1]);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      doubles.close();
      client.close();
    }));
    System.out.println("sidecar doubles running for namespace " + args[1]);
    Thread.currentThread().join();
  }
}
