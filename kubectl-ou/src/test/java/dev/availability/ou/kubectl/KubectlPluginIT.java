package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installed as users install it (the launcher kubectl-ou on PATH, the packaged jar), run by kubectl itself, with
 * kubectl's environment (KUBECONFIG) and its exit codes passed through.
 */
@KubernetesCluster
class KubectlPluginIT {

  @Test
  void kubectlRunsThePluginFromPath(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster, @TempDir Path bin)
      throws IOException {
    Files.createSymbolicLink(
        bin.resolve("kubectl-ou"), cluster.repoRoot().resolve("kubectl-ou/kubectl-ou"));
    String kubectl = cluster.run("bin-dir").trim() + "/kubectl";
    Map<String, String> env = Map.of(
        "PATH",
        bin + ":" + System.getenv("PATH"),
        "KUBECONFIG",
        cluster.kubeconfig().toString());

    assertThat(Processes.run(List.of(kubectl, "plugin", "list"), env).out())
        .contains(bin.resolve("kubectl-ou").toString());
    Plugin.Result help = Processes.run(List.of(kubectl, "ou", "--help"), env);
    assertThat(help.exit()).as(help.toString()).isZero();
    for (String command : List.of(
        "status", "promote", "fence", "unfence", "pause", "resume", "drill", "history", "report")) {
      assertThat(help.out()).containsPattern("(?m)^\\s+" + command + "\\s+\\S");
    }

    Units.installCrd(client, cluster.repoRoot());
    OperationalUnit unit =
        new Units(client, ns.name()).create(Units.sample(cluster.repoRoot(), "via-kubectl", "10s"));
    Plugin.Result status =
        Processes.run(args(kubectl, "ou", "status", "via-kubectl", "-n", ns.name()), env);
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains(
            "Unit via-kubectl in " + ns.name() + ": no status yet (is the operator running?)",
            "No member pods.");

    Plugin.Result pause = Processes.run(
        args(kubectl, "ou", "-n", ns.name(), "pause", "via-kubectl", "--no-wait"), env);
    assertThat(pause.exit()).as(pause.toString()).isZero();
    assertThat(client
            .resources(OperationalUnit.class)
            .inNamespace(ns.name())
            .withName(unit.getMetadata().getName())
            .get()
            .getMetadata()
            .getAnnotations())
        .containsEntry(UnitAnnotations.PAUSED, "true");

    Plugin.Result missing =
        Processes.run(args(kubectl, "ou", "history", "missing", "-n", ns.name()), env);
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err())
        .contains("operationalunit \"missing\" not found in namespace \"" + ns.name() + "\"");
    Plugin.Result usage = Processes.run(args(kubectl, "ou", "promote"), env);
    assertThat(usage.exit()).as(usage.toString()).isEqualTo(2);
  }

  private static List<String> args(String... args) {
    return new ArrayList<>(List.of(args));
  }
}
