package dev.availability.ou.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The flags kubectl users expect, accepted before or after the command. kubectl hands a plugin its environment, so
 * KUBECONFIG (one file or several) and the current context apply as they do to kubectl itself.
 */
final class ClusterOptions {
  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      paramLabel = "NAMESPACE",
      description = "The unit's namespace (default: the context's namespace, else default).")
  String namespace;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "CONTEXT",
      description = "The kubeconfig context to use.")
  String context;

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  Path kubeconfig;

  /** A client for the chosen cluster, and the namespace the command works in. */
  Cluster connect() {
    Config config = config();
    // A command line fails fast and says why, rather than retrying for minutes.
    config.setRequestRetryBackoffLimit(1);
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(15_000);
    String ns = namespace != null
        ? namespace
        : config.getNamespace() != null ? config.getNamespace() : "default";
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    return new Cluster(client, ns);
  }

  private Config config() {
    if (kubeconfig != null) {
      String text;
      try {
        text = Files.readString(kubeconfig);
      } catch (IOException e) {
        throw new CliException("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage());
      }
      return checkedContext(Config.fromKubeconfig(context, text, kubeconfig.toString()));
    }
    String env = System.getenv("KUBECONFIG");
    boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    boolean home = Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
    if ((env == null || env.isBlank()) && !home && !inCluster) {
      throw new CliException(
          "no cluster configured: set KUBECONFIG, pass --kubeconfig FILE, or write ~/.kube/config");
    }
    return checkedContext(Config.autoConfigure(context));
  }

  private Config checkedContext(Config config) {
    if (context != null
        && (config.getCurrentContext() == null
            || !context.equals(config.getCurrentContext().getName()))) {
      throw new CliException("context \"" + context
          + "\" is not in the kubeconfig: list them with kubectl config get-contexts");
    }
    return config;
  }
}
