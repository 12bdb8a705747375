package dev.availability.ou.drill;

import io.fabric8.kubernetes.client.KubernetesClient;

/** The machine line every benchmark prints first (BENCHMARKS.md). */
final class MachineLine {
  private MachineLine() {}

  static String of(KubernetesClient client) {
    return String.format(
        "machine: %d cores, %d MiB, JDK %s, Kubernetes %s (pods under the process kubelet), %s %s",
        Runtime.getRuntime().availableProcessors(),
        totalMemoryMiB(),
        Runtime.version(),
        client.getKubernetesVersion().getGitVersion(),
        System.getProperty("os.name"),
        System.getProperty("os.version"));
  }

  private static long totalMemoryMiB() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    } catch (java.io.IOException e) {
      // not Linux: unknown
    }
    return -1;
  }
}
