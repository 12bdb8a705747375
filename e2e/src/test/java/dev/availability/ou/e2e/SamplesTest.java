package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in samples/ is a unit the API server accepts as users apply it (`kubectl apply
 * --dry-run=server --validate=strict`: the CRD's schema, its CEL rules, no unknown fields), and the same dry
 * run refuses what the schema forbids, so an accepted sample means something.
 */
@KubernetesCluster
class SamplesTest {
  private static Path repo;
  private static Path kubectl;
  private static Path kubeconfig;

  record Result(int exit, String output) {}

  @BeforeAll
  static void setUp(KubernetesClient client, LocalClusterHandle cluster) {
    repo = cluster.repoRoot();
    kubeconfig = cluster.kubeconfig();
    kubectl = Path.of(cluster.run("bin-dir").trim(), "kubectl");
    Units.installCrd(client, repo);
  }

  @Test
  void everySampleIsAUnitTheApiServerAccepts(TestNamespace ns) throws Exception {
    List<Path> samples = samples();
    assertThat(samples).hasSizeGreaterThanOrEqualTo(4);
    Set<String> names = new HashSet<>();
    Set<String> modes = new HashSet<>();
    boolean failback = false;
    for (Path sample : samples) {
      Result r = dryRun(ns.name(), sample);
      assertThat(r.exit()).as(sample + ": " + r.output()).isZero();
      assertThat(r.output()).contains("created (server dry run)");
      // a sample may hold several units (kvstore-dependencies.yaml: one depending on the other)
      for (String doc : Files.readString(sample).split("\n---\n")) {
        if (!doc.contains("\nkind: OperationalUnit\n")) continue; // the pool of kvstore-pool.yaml
        OperationalUnit unit = Serialization.unmarshal(doc, OperationalUnit.class);
        assertThat(names.add(unit.getMetadata().getName()))
            .as("unit names are unique across samples, so all can be applied together")
            .isTrue();
        modes.add(unit.getSpec().getReplication().getMode().name());
        failback |= unit.getSpec().getFailover().getFailback().name().equals("Automatic");
        var app = unit.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(app.getCommand())
            .containsExactly("java", "-jar", "/deployments/samples/kvstore.jar");
        assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
      }
    }
    assertThat(modes).containsExactlyInAnyOrder("Synchronous", "Asynchronous", "Journal");
    assertThat(failback).as("a sample with failback: Automatic").isTrue();
  }

  @Test
  void theSameDryRunRefusesWhatTheSchemaForbids(TestNamespace ns) throws Exception {
    String sync = Files.readString(repo.resolve("samples/kvstore-synchronous.yaml"));
    Path lagInSync = write(
        "lag.yaml",
        sync.replace(
            "    mode: Synchronous\n", "    mode: Synchronous\n    maxPromotableLag: 10\n"));
    Result r = dryRun(ns.name(), lagInSync);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("maxPromotableLag applies to mode Asynchronous only");

    Path typo = write("typo.yaml", sync.replace("  replication:\n", "  replicaton:\n"));
    r = dryRun(ns.name(), typo);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("unknown field").contains("replicaton");

    Path tooFast =
        write("budget.yaml", sync.replace("responseTimeBudget: 4s", "responseTimeBudget: 500ms"));
    r = dryRun(ns.name(), tooFast);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("responseTimeBudget must be at least 1s");
  }

  private static List<Path> samples() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(repo.resolve("samples"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        if (Files.readString(p).contains("kind: OperationalUnit")) out.add(p);
      }
    }
    return out;
  }

  private static Path write(String name, String content) throws IOException {
    Path dir = Files.createDirectories(repo.resolve("e2e/target/samples-test"));
    return Files.writeString(dir.resolve(name), content);
  }

  private static Result dryRun(String namespace, Path manifest) throws Exception {
    Process p = new ProcessBuilder(
            kubectl.toString(),
            "--kubeconfig",
            kubeconfig.toString(),
            "apply",
            "--dry-run=server",
            "--validate=strict",
            "-n",
            namespace,
            "-f",
            manifest.toString())
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
    return new Result(p.exitValue(), out);
  }
}
