package dev.availability.ou.drill;

import dev.availability.ou.e2e.OperatorProcess;
import java.util.Map;

/** The operator of a drill run: one process, as users run it outside the cluster, that a fault may kill and restart. */
public final class DrillOperator implements AutoCloseable {
  private final DrillCluster cluster;
  private final String lease;
  private OperatorProcess process;
  private int starts;

  public DrillOperator(DrillCluster cluster, String lease) {
    this.cluster = cluster;
    this.lease = lease;
    start();
  }

  private void start() {
    starts++;
    process = OperatorProcess.start(
        cluster.repo, cluster.kubeconfig, lease + "-" + starts, lease, Map.of());
  }

  /** SIGKILL, then a new operator process (the old one's leader lease runs out first). */
  public synchronized void killAndRestart() {
    process.kill();
    Drill.pauseQuietly(java.time.Duration.ofSeconds(1));
    start();
  }

  @Override
  public synchronized void close() {
    if (process != null) process.close();
  }
}
