package dev.availability.ou.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The chart installed into a cluster as a user would (`helm install ... -n NS --create-namespace`), and
 * credentials of the identities it creates: tokens from the TokenRequest API, kubeconfigs and clients
 * with the same server and CA as the test's own.
 */
final class InstalledChart implements AutoCloseable {
  final String release;
  final String namespace;
  private final KubernetesClient admin;
  private final Path kubeconfig;
  private final Path workDir;

  private InstalledChart(
      KubernetesClient admin, Path kubeconfig, String release, String namespace, Path workDir) {
    this.admin = admin;
    this.kubeconfig = kubeconfig;
    this.release = release;
    this.namespace = namespace;
    this.workDir = workDir;
  }

  /** Installs the chart with the given values (YAML) and waits until its Deployment is available. */
  static InstalledChart install(
      KubernetesClient admin,
      Path kubeconfig,
      String release,
      String namespace,
      String valuesYaml) {
    try {
      Path work = Files.createDirectories(Chart.repoRoot().resolve("e2e/target/chart-" + release));
      Path values = Files.writeString(work.resolve("values.yaml"), valuesYaml);
      InstallCommand install = new Helm(Chart.dir())
          .install()
          .withName(release)
          .withNamespace(namespace)
          .createNamespace()
          .withKubeConfig(kubeconfig)
          .withValuesFile(values)
          .waitReady()
          .withTimeout(180);
      install.call();
      return new InstalledChart(admin, kubeconfig, release, namespace, work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The operator's ServiceAccount (the release's full name). */
  String operatorServiceAccount() {
    return release.contains("ou-operator") ? release : release + "-ou-operator";
  }

  /** A token of {@code serviceAccount} in {@code ns}, bound to {@code pod} when it is not null. */
  String token(String ns, String serviceAccount, Pod pod) {
    TokenRequestBuilder b =
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec();
    if (pod != null) {
      b.editSpec()
          .withNewBoundObjectRef()
          .withApiVersion("v1")
          .withKind("Pod")
          .withName(pod.getMetadata().getName())
          .withUid(pod.getMetadata().getUid())
          .endBoundObjectRef()
          .endSpec();
    }
    TokenRequest answer =
        admin.serviceAccounts().inNamespace(ns).withName(serviceAccount).tokenRequest(b.build());
    return answer.getStatus().getToken();
  }

  /** A kubeconfig file for {@code token} on the test's cluster (same server and CA). */
  Path kubeconfigFor(String name, String token) {
    Config c = admin.getConfiguration();
    String ca = caData(c);
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
          - name: cluster
            cluster:
              server: %s
              certificate-authority-data: %s
        users:
          - name: %s
            user:
              token: %s
        contexts:
          - name: %s
            context: {cluster: cluster, user: %s}
        current-context: %s
        """.formatted(c.getMasterUrl(), ca, name, token, name, name, name);
    try {
      return Files.writeString(workDir.resolve(name + ".kubeconfig"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client that authenticates with {@code token} only (no client certificate, nothing from the environment). */
  KubernetesClient clientFor(String token) {
    Config c = admin.getConfiguration();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(c.getMasterUrl())
        .withCaCertData(caData(c))
        .withOauthToken(token)
        .withRequestRetryBackoffLimit(0)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String caData(Config c) {
    if (c.getCaCertData() != null) return c.getCaCertData();
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(c.getCaCertFile())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Uninstalls the release and deletes its namespace (CRDs stay, as Helm leaves them). */
  @Override
  public void close() {
    try {
      Helm.uninstall(release)
          .withNamespace(namespace)
          .withKubeConfig(kubeconfig)
          .ignoreNotFound()
          .call();
    } finally {
      admin.namespaces().withName(namespace).delete();
    }
  }
}
