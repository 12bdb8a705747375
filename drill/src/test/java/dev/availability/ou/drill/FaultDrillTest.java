package dev.availability.ou.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.e2e.OperatorProcess;
import dev.availability.ou.e2e.client.ClientVerdict;
import dev.availability.ou.testsupport.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full system under each fault a machine has: the operator (a process, as users run it outside the cluster)
 * on the local control plane, members whose sidecar and sample app really run (the process kubelet), a client
 * writing through the Service. For a Synchronous unit each drill asserts what the client saw — no acknowledged
 * write lost, no write acknowledged at an epoch older than one already acknowledged — and that the unit is
 * Protected again with its standby on another node. The client's outage is printed (figures, not assertions:
 * see bench/failover and the closing note of issue 14).
 */
@Tag("cluster")
class FaultDrillTest {
  static DrillCluster cluster;
  static OperatorProcess operator;
  static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue("0".equals(System.getProperty("ou.uid", uid())), "pods that really run need root (network namespaces, mounts, chroot)");
    cluster = DrillCluster.get();
    dev.availability.ou.e2e.Units.installCrd(cluster.client, cluster.repo);
    operator = startOperator("drill-operator");
  }

  static OperatorProcess startOperator(String name) {
    return OperatorProcess.start(cluster.repo, cluster.kubeconfig, name, "ou-drill-operator", Map.of());
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    figures.forEach(f -> Progress.log("drill figures: " + f));
  }

  /** A fault, injected once the client writes, and what it takes to undo it (nothing for most). */
  interface Fault {
    void inject(Drill d) throws Exception;

    default void undo(Drill d) throws Exception {}
  }

  /** Creates a Protected unit, starts the client, injects {@code fault}, awaits recovery, and checks what the client saw. */
  private static void drill(String name, String figure, int failovers, Fault fault) throws Exception {
    try (Drill d = new Drill(cluster, name)) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      try {
        fault.inject(d);
        d.awaitRecovered("after " + figure, failovers);
      } finally {
        fault.undo(d);
      }
      d.awaitRecovered("after " + figure + " was undone", failovers);
      verify(d, figure);
    }
  }

  @Test
  void theAppContainerCrashes() throws Exception {
    drill("crash", "container-crash", 1, d -> cluster.run("kill-container", d.namespace, d.primary(), "kvstore"));
  }

  @Test
  void thePrimaryPodIsDeleted() throws Exception {
    drill("delete", "pod-delete", 1, d -> cluster.client.pods().inNamespace(d.namespace).withName(d.primary()).delete());
  }

  @Test
  void thePrimarysNodeDies() throws Exception {
    drill("nodekill", "kill-node", 1, new NodeFault("kill-node"));
  }

  /** The former primary comes back when healed: it must not acknowledge anything at its old epoch. */
  @Test
  void thePrimarysNodeIsPartitioned() throws Exception {
    drill("partition", "partition", 1, new NodeFault("partition-node"));
  }

  @Test
  void theOperatorIsKilledInTheMiddleOfAFailover() throws Exception {
    drill("opkill", "operator-killed-mid-failover", 1, d -> {
      cluster.run("kill-container", d.namespace, d.primary(), "kvstore");
      await("the failover starts").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> d.units.eventReasons(Drill.UNIT).contains("FailoverStarted"));
      operator.kill();
      Drill.pause(Duration.ofSeconds(1));
      operator = startOperator("drill-operator-restarted");
    });
  }

  @Test
  void theApiServerIsDownFor20Seconds() throws Exception {
    drill("apidown", "api-server-down-20s", 0, d -> {
      cluster.run("stop", "kube-apiserver");
      try {
        Drill.pause(Duration.ofSeconds(20));
      } finally {
        cluster.run("start", "kube-apiserver");
      }
    });
  }

  /** A fault of the primary's node ({@code kill-node} or {@code partition-node}), healed afterwards. */
  private static final class NodeFault implements Fault {
    private final String command;
    private String node;

    NodeFault(String command) {
      this.command = command;
    }

    @Override
    public void inject(Drill d) throws Exception {
      node = d.primaryNode();
      cluster.run(command, node);
    }

    @Override
    public void undo(Drill d) throws Exception {
      if (node != null) cluster.run("heal-node", node);
    }
  }

  private static void verify(Drill d, String fault) {
    Drill.pauseQuietly(Duration.ofSeconds(2)); // writes after recovery, so the outage has an end
    ClientVerdict v = d.finish();
    figures.add(fault + ": acknowledged " + v.acknowledged() + ", lost " + v.lost() + ", outage " + v.outageMillis() + " ms, failed " + v.failed()
        + ", split brain " + v.splitBrain());
    assertThat(v.acknowledged()).as("writes acknowledged").isPositive();
    assertThat(v.lost()).as("acknowledged writes lost (Synchronous)").isZero();
    assertThat(v.splitBrain()).as("writes acknowledged at an older epoch after a newer one").isZero();
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
