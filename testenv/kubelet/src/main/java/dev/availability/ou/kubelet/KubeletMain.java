package dev.availability.ou.kubelet;

import dev.availability.ou.kubelet.proxy.ServiceProxy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the process kubelet (run by {@code testenv/local-cluster up --run-pods}; needs root for network
 * namespaces, mounts and chroot):
 * {@code --kubeconfig F --work-dir D --image-tar T --nodes N [--node-prefix P] [--zones a,b] [--pod-network X] [--lease-seconds S]}.
 * It runs until killed; on SIGTERM it kills its pods' processes and removes its network.
 */
public final class KubeletMain {
  private KubeletMain() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = args(argv);
    Path kubeconfig = Path.of(required(a, "kubeconfig"));
    Path workDir = Path.of(required(a, "work-dir")).toAbsolutePath();
    Files.createDirectories(workDir);
    int n = Integer.parseInt(a.getOrDefault("nodes", "4"));
    String prefix = a.getOrDefault("node-prefix", "ou-node");
    String[] zones = a.getOrDefault("zones", "zone-a,zone-b").split(",");
    List<String> nodes = new ArrayList<>();
    Map<String, String> zoneOf = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String node = prefix + "-" + i;
      nodes.add(node);
      zoneOf.put(node, zones[i % zones.length]);
    }
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    // A kubelet's writes fail fast and are made again by its own loops (leases every 2 s, statuses
    // every 5 s): the client's retries with back-off would hold its threads for minutes while the
    // API server is down.
    config.setRequestTimeout(5_000);
    config.setConnectionTimeout(3_000);
    config.setRequestRetryBackoffLimit(0);
    KubeletConfig kc = new KubeletConfig(
        a.getOrDefault("cluster", "local"),
        kubeconfig,
        workDir,
        Path.of(required(a, "image-tar")),
        nodes,
        zoneOf,
        Integer.parseInt(a.getOrDefault("pod-network", "213")),
        KubeletConfig.hostPort(URI.create(config.getMasterUrl())),
        Integer.parseInt(a.getOrDefault("lease-seconds", "8")));
    ImageRoot image = ImageRoot.unpack(kc.imageTar(), kc.rootfs());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    Kubelet kubelet = new Kubelet(client, kc, image);
    kubelet.start();
    ServiceProxy proxy = new ServiceProxy(client, workDir, "127.0.0.1");
    proxy.start();
    ControlServer control = new ControlServer(kubelet, workDir);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      control.close();
      proxy.close();
      kubelet.close();
      client.close();
      Log.info("process kubelet stopped");
    }));
    Log.info(
        "process kubelet ready; control at %s",
        Files.readString(workDir.resolve("control-address")).strip());
    Thread.currentThread().join();
  }

  private static Map<String, String> args(String[] argv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length)
        throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
      out.put(argv[i].substring(2), argv[++i]);
    }
    return out;
  }

  private static String required(Map<String, String> a, String name) {
    String v = a.get(name);
    if (v == null) throw new IllegalArgumentException("--" + name + " is required");
    return v;
  }
}
