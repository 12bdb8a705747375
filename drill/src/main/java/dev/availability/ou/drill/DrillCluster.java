package dev.availability.ou.drill;

import dev.availability.ou.testsupport.Progress;
import dev.availability.ou.testsupport.RepoRoot;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The drills' cluster, once per test run: {@code testenv/local-cluster up --run-pods} (pods really run, from the
 * project's image, under the process kubelet), deleted when the JVM ends unless {@code OU_TEST_KEEP_CLUSTER=true}.
 * Faults go through the same commands a user types.
 */
public final class DrillCluster {
  static final String NAME = System.getenv().getOrDefault("OU_DRILL_CLUSTER_NAME", "ou-drill");
  private static DrillCluster instance;

  public final String name;
  public final Path repo;
  public final Path kubeconfig;
  public final KubernetesClient client;

  private DrillCluster(String name, Path repo, Path kubeconfig) throws IOException {
    this.name = name;
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .build();
  }

  public static synchronized DrillCluster get() throws Exception {
    return get(NAME, 5);
  }

  /** The cluster {@code name} with {@code nodes} nodes whose pods really run; started once per JVM. */
  public static synchronized DrillCluster get(String name, int nodes) throws Exception {
    if (instance != null) return instance;
    Path repo = RepoRoot.require();
    long start = System.nanoTime();
    Progress.log("starting cluster '" + name + "' with " + nodes
        + " nodes whose pods really run (testenv/local-cluster up --run-pods)");
    run(repo, name, "up", "--nodes", String.valueOf(nodes), "--run-pods");
    Path kubeconfig = Path.of(run(repo, name, "kubeconfig").strip());
    if (!"true".equals(System.getenv("OU_TEST_KEEP_CLUSTER"))) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          run(repo, name, "down");
        } catch (Exception e) {
          System.err.println("could not delete the drill cluster: " + e.getMessage());
        }
      }));
    }
    instance = new DrillCluster(name, repo, kubeconfig);
    Progress.log("drill cluster ready in " + Progress.since(start));
    return instance;
  }

  /** Runs {@code testenv/local-cluster ARGS --name NAME}; its stdout, or a failure with the end of its output. */
  public String run(String... args) throws IOException, InterruptedException {
    return run(repo, name, args);
  }

  private static String run(Path repo, String name, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(repo.resolve("testenv/local-cluster").toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--name", name));
    Path err = Files.createTempFile("local-cluster", ".log");
    Process p = new ProcessBuilder(cmd)
        .directory(repo.toFile())
        .redirectError(err.toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    String log = Files.readString(err);
    Files.deleteIfExists(err);
    if (rc != 0)
      throw new IllegalStateException(
          String.join(" ", cmd) + " failed (" + rc + "):\n" + tail(log, 25));
    return out;
  }

  public String serviceAddress(String namespace, String service)
      throws IOException, InterruptedException {
    return run("service-address", namespace, service).strip();
  }

  private static String tail(String s, int lines) {
    List<String> all = s.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
