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

  @Test
  void theAppContainerCrashes() throws Exception {
    try (Drill d = new Drill(cluster, "crash")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      cluster.run("kill-container", d.namespace, d.primary(), "kvstore");
      d.awaitRecovered("after the crash", 1);
      verify(d, "container-crash");
    }
  }

  @Test
  void thePrimaryPodIsDeleted() throws Exception {
    try (Drill d = new Drill(cluster, "delete")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      cluster.client.pods().inNamespace(d.namespace).withName(d.primary()).delete();
      d.awaitRecovered("after the deletion", 1);
      verify(d, "pod-delete");
    }
  }

  @Test
  void thePrimarysNodeDies() throws Exception {
    try (Drill d = new Drill(cluster, "nodekill")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      String node = d.primaryNode();
      cluster.run("kill-node", node);
      try {
        d.awaitRecovered("after node " + node + " died", 1);
        verify(d, "kill-node");
      } finally {
        cluster.run("heal-node", node);
      }
    }
  }

  @Test
  void thePrimarysNodeIsPartitioned() throws Exception {
    try (Drill d = new Drill(cluster, "partition")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      String node = d.primaryNode();
      cluster.run("partition-node", node);
      try {
        d.awaitRecovered("after node " + node + " was cut off", 1);
      } finally {
        cluster.run("heal-node", node); // the former primary comes back: it must not acknowledge at its old epoch
      }
      Drill.pause(Duration.ofSeconds(3));
      d.awaitRecovered("after the partition healed", 1);
      verify(d, "partition");
    }
  }

  @Test
  void theOperatorIsKilledInTheMiddleOfAFailover() throws Exception {
    try (Drill d = new Drill(cluster, "opkill")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      cluster.run("kill-container", d.namespace, d.primary(), "kvstore");
      await("the failover starts").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> d.units.eventReasons(Drill.UNIT).contains("FailoverStarted"));
      operator.kill();
      Drill.pause(Duration.ofSeconds(1));
      operator = startOperator("drill-operator-restarted");
      d.awaitRecovered("after the operator came back", 1);
      verify(d, "operator-killed-mid-failover");
    }
  }

  @Test
  void theApiServerIsDownFor20Seconds() throws Exception {
    try (Drill d = new Drill(cluster, "apidown")) {
      d.createProtected();
      d.startLoad();
      Drill.pause(Duration.ofSeconds(2));
      cluster.run("stop", "kube-apiserver");
      try {
        Drill.pause(Duration.ofSeconds(20));
      } finally {
        cluster.run("start", "kube-apiserver");
      }
      d.awaitRecovered("after the API server came back", 0);
      verify(d, "api-server-down-20s");
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
