package dev.availability.ou.testsupport;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The cluster of one test run and a client on it, opened once from a {@link ClusterSource} and closed at the end of
 * the run: the client is closed, a cluster this run started is deleted (a local one unless kept, a k3s container),
 * a cluster that was already running is left alone.
 */
public final class ClusterConnection implements AutoCloseable {

  private final ClusterSource source;
  private final KubernetesClient client;
  private final Optional<Path> kubeconfig;
  private final Optional<LocalClusterHandle> local;
  private final AutoCloseable teardown;

  private ClusterConnection(
      ClusterSource source,
      KubernetesClient client,
      Optional<Path> kubeconfig,
      Optional<LocalClusterHandle> local,
      AutoCloseable teardown) {
    this.source = source;
    this.client = client;
    this.kubeconfig = kubeconfig;
    this.local = local;
    this.teardown = teardown;
  }

  /** Opens (and for local and k3s sources, starts) the cluster. */
  public static ClusterConnection open(ClusterSource source) {
    Progress.log("cluster for this test run: " + source.describe());
    return switch (source) {
      case ClusterSource.LocalScript l -> {
        LocalClusterHandle handle = LocalClusterHandle.up(RepoRoot.require(), l.name(), l.nodes());
        AutoCloseable down = l.keep()
            ? () -> Progress.log(
                "keeping local cluster '" + l.name() + "' (OU_TEST_KEEP_CLUSTER=true); "
                    + "delete it with: testenv/local-cluster down --name " + l.name())
            : handle::down;
        yield new ClusterConnection(
            source,
            clientFor(handle.kubeconfig()),
            Optional.of(handle.kubeconfig()),
            Optional.of(handle),
            down);
      }
      case ClusterSource.Kubeconfig k -> {
        Optional<LocalClusterHandle> handle = k.localName()
            .flatMap(name -> RepoRoot.find(System.getProperty("ou.repo.root"), Path.of(""))
                .map(root -> LocalClusterHandle.attach(root, name, k.path())));
        yield new ClusterConnection(
            source, clientFor(k.path()), Optional.of(k.path()), handle, () -> {});
      }
      case ClusterSource.K3s k -> {
        K3sBackend.Started k3s = K3sBackend.start(k.image());
        KubernetesClient client = new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.kubeconfigYaml()))
            .build();
        yield new ClusterConnection(source, client, Optional.empty(), Optional.empty(), k3s);
      }
    };
  }

  static KubernetesClient clientFor(Path kubeconfig) {
    if (!Files.isReadable(kubeconfig)) {
      throw new IllegalStateException(
          "kubeconfig " + kubeconfig + " does not exist or cannot be read");
    }
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfig.toFile()))
        .build();
  }

  public ClusterSource source() {
    return source;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The kubeconfig file, for processes the test starts (an operator, kubectl, helm); empty for k3s. */
  public Optional<Path> kubeconfig() {
    return kubeconfig;
  }

  /** Present when testenv/local-cluster runs the cluster (node failures and restarts work then). */
  public Optional<LocalClusterHandle> localCluster() {
    return local;
  }

  public ClusterFaults faults() {
    return new ClusterFaults(client, local);
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
    } finally {
      teardown.close();
    }
  }
}
