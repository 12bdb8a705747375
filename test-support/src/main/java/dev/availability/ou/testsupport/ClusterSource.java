package dev.availability.ou.testsupport;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the cluster of a test run comes from, decided from the environment only (pure, unit-tested).
 *
 * <ul>
 *   <li>{@code OU_TEST_CLUSTER=local} or nothing set: start one with {@code testenv/local-cluster up}
 *       ({@code OU_TEST_CLUSTER_NAME}, default {@value #DEFAULT_LOCAL_NAME}; {@code OU_TEST_NODES}, default 4),
 *       deleted at the end of the run unless {@code OU_TEST_KEEP_CLUSTER=true}.</li>
 *   <li>{@code OU_TEST_KUBECONFIG=/path}: a running cluster, never torn down.</li>
 *   <li>{@code OU_TEST_CLUSTER=kubeconfig}: the cluster of {@code KUBECONFIG} (or {@code ~/.kube/config}), never torn down.</li>
 *   <li>{@code OU_TEST_CLUSTER=k3s}: k3s in a container through Testcontainers ({@code OU_TEST_K3S_IMAGE}); skipped without Docker.</li>
 * </ul>
 */
public sealed interface ClusterSource {

  String DEFAULT_LOCAL_NAME = "ou-test";
  int DEFAULT_NODES = 4;
  String DEFAULT_K3S_IMAGE = "rancher/k3s:v1.33.4-k3s1";

  /** A cluster this run starts with the project's script, and deletes at the end unless {@code keep}. */
  record LocalScript(String name, int nodes, boolean keep) implements ClusterSource {}

  /**
   * A running cluster named by a kubeconfig file. {@code localName} is the testenv/local-cluster name when the
   * kubeconfig belongs to one (then node failures and restarts can be injected).
   */
  record Kubeconfig(Path path, Optional<String> localName) implements ClusterSource {}

  /** k3s in a container; needs a Docker engine. */
  record K3s(String image) implements ClusterSource {}

  /** A one-line description for progress messages. */
  default String describe() {
    return switch (this) {
      case LocalScript l ->
        "local control plane '" + l.name() + "' (testenv/local-cluster, " + l.nodes() + " nodes)";
      case Kubeconfig k ->
        "running cluster of kubeconfig " + k.path()
            + k.localName().map(n -> " (local cluster '" + n + "')").orElse("");
      case K3s k -> "k3s " + k.image() + " via Testcontainers";
    };
  }

  /**
   * This JVM's settings: the environment, overridden by system properties of the same names that start with
   * {@code OU_TEST_} (so {@code mvn -DOU_TEST_CLUSTER=k3s ...} works too).
   */
  static Map<String, String> settings() {
    Map<String, String> merged = new java.util.HashMap<>(System.getenv());
    System.getProperties().forEach((k, v) -> {
      if (k instanceof String key && key.startsWith("OU_TEST_") && v instanceof String value) {
        merged.put(key, value);
      }
    });
    return merged;
  }

  /** Chooses the source from environment variables; {@code home} resolves {@code ~/.kube/config}. */
  static ClusterSource fromEnvironment(Map<String, String> env, Path home) {
    String mode = env.getOrDefault("OU_TEST_CLUSTER", "").strip().toLowerCase(Locale.ROOT);
    String kubeconfig = env.getOrDefault("OU_TEST_KUBECONFIG", "").strip();
    Optional<String> explicitName = nonBlank(env.get("OU_TEST_CLUSTER_NAME"));
    return switch (mode) {
      case "" ->
        kubeconfig.isEmpty()
            ? local(env, explicitName)
            : kubeconfigSource(Path.of(kubeconfig), explicitName);
      case "local" -> local(env, explicitName);
      case "kubeconfig" -> kubeconfigSource(firstKubeconfig(env, home), explicitName);
      case "k3s" -> new K3s(nonBlank(env.get("OU_TEST_K3S_IMAGE")).orElse(DEFAULT_K3S_IMAGE));
      default ->
        throw new IllegalArgumentException(
            "OU_TEST_CLUSTER='" + mode + "' is not one of: local (default), kubeconfig, k3s");
    };
  }

  private static ClusterSource local(Map<String, String> env, Optional<String> name) {
    String nodes = env.getOrDefault("OU_TEST_NODES", "").strip();
    int n;
    try {
      n = nodes.isEmpty() ? DEFAULT_NODES : Integer.parseInt(nodes);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("OU_TEST_NODES='" + nodes + "' is not a number");
    }
    if (n < 1) {
      throw new IllegalArgumentException("OU_TEST_NODES must be at least 1, got " + n);
    }
    boolean keep =
        Boolean.parseBoolean(env.getOrDefault("OU_TEST_KEEP_CLUSTER", "false").strip());
    return new LocalScript(name.orElse(DEFAULT_LOCAL_NAME), n, keep);
  }

  private static Kubeconfig kubeconfigSource(Path path, Optional<String> explicitName) {
    return new Kubeconfig(path, explicitName.or(() -> localClusterName(path)));
  }

  /** {@code KUBECONFIG} may list several files; like kubectl, the first one is used here. */
  private static Path firstKubeconfig(Map<String, String> env, Path home) {
    String list = env.getOrDefault("KUBECONFIG", "").strip();
    for (String entry : list.split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        return Path.of(entry.strip());
      }
    }
    return home.resolve(".kube").resolve("config");
  }

  /** The testenv/local-cluster name of a kubeconfig at {@code .../clusters/NAME/kubeconfig.yaml}, if it is one. */
  static Optional<String> localClusterName(Path kubeconfig) {
    Path p = kubeconfig.toAbsolutePath().normalize();
    Path dir = p.getParent();
    if (dir == null
        || dir.getParent() == null
        || !p.getFileName().toString().equals("kubeconfig.yaml")) {
      return Optional.empty();
    }
    if (!dir.getParent().getFileName().toString().equals("clusters")) {
      return Optional.empty();
    }
    return Optional.of(dir.getFileName().toString());
  }

  private static Optional<String> nonBlank(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }
}
