package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the extension: which cluster the environment asks for, names, script command lines. */
class ClusterSelectionTest {

  private static final Path HOME = Path.of("/home/dev");

  @Test
  void withoutEnvironmentTheScriptStartsTheDefaultLocalCluster() {
    assertThat(ClusterSource.fromEnvironment(Map.of(), HOME))
        .isEqualTo(new ClusterSource.LocalScript("ou-test", 4, false));
  }

  @Test
  void localClusterNameNodesAndKeepComeFromTheEnvironment() {
    var env = Map.of(
        "OU_TEST_CLUSTER",
        "local",
        "OU_TEST_CLUSTER_NAME",
        "mine",
        "OU_TEST_NODES",
        "6",
        "OU_TEST_KEEP_CLUSTER",
        "true");
    assertThat(ClusterSource.fromEnvironment(env, HOME))
        .isEqualTo(new ClusterSource.LocalScript("mine", 6, true));
  }

  @Test
  void aNamedKubeconfigIsUsedAsItIs() {
    var source =
        ClusterSource.fromEnvironment(Map.of("OU_TEST_KUBECONFIG", "/tmp/some/config"), HOME);
    assertThat(source)
        .isEqualTo(new ClusterSource.Kubeconfig(Path.of("/tmp/some/config"), Optional.empty()));
  }

  @Test
  void aKubeconfigOfALocalClusterKnowsItsName() {
    var path = "/root/.cache/ou-operator/clusters/bars/kubeconfig.yaml";
    var source = ClusterSource.fromEnvironment(Map.of("OU_TEST_KUBECONFIG", path), HOME);
    assertThat(source).isEqualTo(new ClusterSource.Kubeconfig(Path.of(path), Optional.of("bars")));
  }

  @Test
  void anExplicitClusterNameWinsOverThePath() {
    var source = ClusterSource.fromEnvironment(
        Map.of("OU_TEST_KUBECONFIG", "/tmp/k.yaml", "OU_TEST_CLUSTER_NAME", "ou-dev"), HOME);
    assertThat(source)
        .isEqualTo(new ClusterSource.Kubeconfig(Path.of("/tmp/k.yaml"), Optional.of("ou-dev")));
  }

  @Test
  void kubeconfigModeTakesTheFirstFileOfKubeconfigOrTheHomeDefault() {
    var env = Map.of("OU_TEST_CLUSTER", "kubeconfig", "KUBECONFIG", ":/a/first:/b/second");
    assertThat(ClusterSource.fromEnvironment(env, HOME))
        .isEqualTo(new ClusterSource.Kubeconfig(Path.of("/a/first"), Optional.empty()));
    assertThat(ClusterSource.fromEnvironment(Map.of("OU_TEST_CLUSTER", "KubeConfig"), HOME))
        .isEqualTo(new ClusterSource.Kubeconfig(HOME.resolve(".kube/config"), Optional.empty()));
  }

  @Test
  void anExplicitModeWinsOverOuTestKubeconfig() {
    var env = Map.of(
        "OU_TEST_CLUSTER",
        "k3s",
        "OU_TEST_KUBECONFIG",
        "/tmp/k.yaml",
        "OU_TEST_K3S_IMAGE",
        "rancher/k3s:v1.30.0-k3s1");
    assertThat(ClusterSource.fromEnvironment(env, HOME))
        .isEqualTo(new ClusterSource.K3s("rancher/k3s:v1.30.0-k3s1"));
    assertThat(ClusterSource.fromEnvironment(Map.of("OU_TEST_CLUSTER", "k3s"), HOME))
        .isEqualTo(new ClusterSource.K3s(ClusterSource.DEFAULT_K3S_IMAGE));
  }

  @Test
  void nonsenseIsRejectedWithTheChoices() {
    assertThatThrownBy(() -> ClusterSource.fromEnvironment(Map.of("OU_TEST_CLUSTER", "kind"), HOME))
        .hasMessageContaining("local (default), kubeconfig, k3s");
    assertThatThrownBy(() -> ClusterSource.fromEnvironment(Map.of("OU_TEST_NODES", "four"), HOME))
        .hasMessageContaining("OU_TEST_NODES");
    assertThatThrownBy(() -> ClusterSource.fromEnvironment(Map.of("OU_TEST_NODES", "0"), HOME))
        .hasMessageContaining("at least 1");
  }

  @Test
  void localClusterNameNeedsTheClustersLayout() {
    assertThat(ClusterSource.localClusterName(Path.of("/x/clusters/ou-dev/kubeconfig.yaml")))
        .contains("ou-dev");
    assertThat(ClusterSource.localClusterName(Path.of("/x/clusters/ou-dev/other.yaml")))
        .isEmpty();
    assertThat(ClusterSource.localClusterName(Path.of("/x/elsewhere/ou-dev/kubeconfig.yaml")))
        .isEmpty();
    assertThat(ClusterSource.localClusterName(Path.of("kubeconfig.yaml"))).isEmpty();
  }

  @Test
  void theRepoRootIsThePropertyOrTheNearestDirectoryWithTheScript(@TempDir Path tmp)
      throws IOException {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo.resolve("testenv"));
    Files.writeString(repo.resolve("testenv/local-cluster"), "#!/bin/sh\n");
    Path deep = Files.createDirectories(repo.resolve("a/b/c"));

    assertThat(RepoRoot.find(null, deep)).contains(repo);
    assertThat(RepoRoot.find(repo.toString(), tmp)).contains(repo);
    assertThat(RepoRoot.find(tmp.resolve("nowhere").toString(), deep)).contains(repo);
    assertThat(RepoRoot.find("", tmp)).isEmpty();
  }

  @Test
  void scriptCommandLinesAlwaysNameTheCluster() {
    assertThat(LocalClusterHandle.commandLine(
            Path.of("/repo"), "fail-node", "ou-test", "node-3", "--no-wait"))
        .containsExactly(
            "/repo/testenv/local-cluster", "fail-node", "--name", "ou-test", "node-3", "--no-wait");
  }

  @Test
  void theKubeconfigIsTheLastExportLineWithoutQuotes() {
    String out =
        "export PATH='/c/bin':\"$PATH\"\nexport KUBECONFIG='/old'\nexport KUBECONFIG='/c/clusters/x/kubeconfig.yaml'\n";
    assertThat(LocalClusterHandle.parseKubeconfig(out))
        .contains(Path.of("/c/clusters/x/kubeconfig.yaml"));
    assertThat(LocalClusterHandle.parseKubeconfig("export KUBECONFIG=\"/q\""))
        .contains(Path.of("/q"));
    assertThat(LocalClusterHandle.parseKubeconfig("nothing here\n")).isEmpty();
  }

  @Test
  void namespaceNamesAreDnsLabelsNamedAfterTheTest() {
    assertThat(TestNamespace.nameFor("EndpointSliceFollowsTest", "k2x9b"))
        .isEqualTo("ou-endpoint-slice-follows-test-k2x9b");
    assertThat(TestNamespace.nameFor("A_Very$Odd__Name", "bcdfg"))
        .isEqualTo("ou-a-very-odd-name-bcdfg");
    String longName = TestNamespace.nameFor("X".repeat(100), "bcdfg");
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  }

  @Test
  void readinessConditionsMoveTheirTransitionTimeOnlyOnChange() {
    PodCondition ready = new PodConditionBuilder()
        .withType("Ready")
        .withStatus("True")
        .withLastTransitionTime("2020-01-01T00:00:00Z")
        .build();
    PodCondition scheduled =
        new PodConditionBuilder().withType("PodScheduled").withStatus("True").build();
    PodStatus status = new PodStatusBuilder().withConditions(scheduled, ready).build();

    ClusterFaults.setReadyConditions(status, true);
    assertThat(status.getConditions())
        .extracting(PodCondition::getType)
        .containsExactly("PodScheduled", "Ready", "ContainersReady");
    assertThat(condition(status, "Ready").getLastTransitionTime())
        .isEqualTo("2020-01-01T00:00:00Z");

    ClusterFaults.setReadyConditions(status, false);
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("ContainersNotReady");
    assertThat(condition(status, "ContainersReady").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getLastTransitionTime())
        .isNotEqualTo("2020-01-01T00:00:00Z");
  }

  private static PodCondition condition(PodStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
