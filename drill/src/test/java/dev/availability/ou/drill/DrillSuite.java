package dev.availability.ou.drill;

import org.junit.jupiter.api.Assumptions;

/**
 * What every drill class starts with: root (the process kubelet needs network namespaces, mounts and chroot; the
 * class is skipped, saying so, without it), the shared drill cluster with the CRD installed, and an operator of its own.
 */
record DrillSuite(DrillCluster cluster, DrillOperator operator) {
  static DrillSuite start(String operatorName) throws Exception {
    Assumptions.assumeTrue(
        "0".equals(System.getProperty("ou.uid", uid())),
        "pods that really run need root (network namespaces, mounts, chroot)");
    DrillCluster cluster = DrillCluster.get();
    dev.availability.ou.e2e.Units.installCrd(cluster.client, cluster.repo);
    return new DrillSuite(cluster, new DrillOperator(cluster, operatorName));
  }

  private static String uid() {
    try {
      Process p = new ProcessBuilder("id", "-u").start();
      return new String(p.getInputStream().readAllBytes()).strip();
    } catch (Exception e) {
      return "?";
    }
  }
}
