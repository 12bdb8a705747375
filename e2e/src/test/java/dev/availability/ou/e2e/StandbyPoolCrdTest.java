package dev.availability.ou.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.PoolMemberStatus;
import dev.availability.ou.api.SharedStandbyStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbySpec;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The StandbyPool CRD on the real control plane: it installs beside the OperationalUnit CRD, {@code kubectl get
 * oupool} shows members, in sync, capacity and readiness from the status the operator will write, the API server
 * fills the defaults, and it refuses a pool name a unit may not use and a capacity out of range.
 */
@KubernetesCluster
class StandbyPoolCrdTest {

  @Test
  void kubectlShowsThePoolsColumnsAndTheApiServerValidatesPoolsAndUnits(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster) {
    Units.installCrd(client, cluster.repoRoot());
    var pools = client.resources(StandbyPool.class).inNamespace(ns.name());

    StandbyPool defaults = pools.resource(pool("defaults", null)).create();
    assertThat(defaults.getSpec().getMaxUnits()).as("default maxUnits").isEqualTo(8);
    assertThat(defaults.getSpec().getPlacement().getTopologyKey())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(defaults.getSpec().getPlacement().getPreferredTopologyKey())
        .isEqualTo("topology.kubernetes.io/zone");
    assertThat(defaults.getSpec().getCompatibility().getEnvValues().name()).isEqualTo("MayDiffer");

    // The status as the operator will write it: two members, one in sync, the shared pod catching
    // up.
    StandbyPool shards = pools.resource(pool("kv-shards", 3)).create();
    shards
        .getStatus()
        .setMembers(List.of(
            new PoolMemberStatus("kv-1", true, 0L), new PoolMemberStatus("kv-2", false, 17L)));
    shards.getStatus().setUnits(2);
    shards.getStatus().setInSync(1);
    shards.getStatus().setCapacity(3);
    shards.getStatus().setStandby(new SharedStandbyStatus("kv-shards-standby-0", "node-4"));
    shards
        .getStatus()
        .setConditions(new ArrayList<>(List.of(new ConditionBuilder()
            .withType("Ready")
            .withStatus("False")
            .withReason("CatchingUp")
            .withMessage("the shared standby kv-shards-standby-0 does not hold in sync: kv-2")
            .withLastTransitionTime("2026-12-06T18:00:00Z")
            .build())));
    pools.resource(shards).updateStatus();

    List<String> table = kubectl(cluster, ns, "get", "oupool").lines().toList();
    assertThat(table.get(0).split("\\s+"))
        .containsExactly("NAME", "UNITS", "IN-SYNC", "CAPACITY", "READY", "AGE");
    String header = table.get(0);
    String row =
        table.stream().filter(l -> l.startsWith("kv-shards ")).findFirst().orElseThrow();
    assertThat(List.of("UNITS", "IN-SYNC", "CAPACITY", "READY").stream()
            .map(c -> cell(header, row, c))
            .toList())
        .containsExactly("2", "1", "3", "False");
    String fresh =
        table.stream().filter(l -> l.startsWith("defaults ")).findFirst().orElseThrow();
    assertThat(cell(header, fresh, "CAPACITY"))
        .as("a pool nobody wrote status for shows its capacity from the spec")
        .isEqualTo("8");
    String wide = kubectl(cluster, ns, "get", "standbypools", "-o", "wide");
    assertThat(wide.lines().findFirst().orElse("")).endsWith("STANDBY");
    assertThat(wide).contains("kv-shards-standby-0");

    assertThatThrownBy(() -> pools.resource(pool("too-big", 65)).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("spec.maxUnits");

    // A unit names its pool by a DNS label of at most 53 characters.
    OperationalUnit pooled = Units.sample(cluster.repoRoot(), "pooled", "10s");
    pooled.getSpec().setStandby(new StandbySpec("kv-shards"));
    Units units = new Units(client, ns.name());
    assertThat(units.create(pooled).getSpec().getStandby().getPool()).isEqualTo("kv-shards");
    for (String bad : List.of("KV_Shards", "-kv", "p".repeat(54))) {
      OperationalUnit u = Units.sample(cluster.repoRoot(), "bad-pool", "10s");
      u.getSpec().setStandby(new StandbySpec(bad));
      assertThatThrownBy(() -> units.create(u))
          .as("pool name " + bad)
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
          .hasMessageContaining("spec.standby.pool");
    }
  }

  private static StandbyPool pool(String name, Integer maxUnits) {
    StandbyPool p = new StandbyPool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.getSpec().setMaxUnits(maxUnits); // null: left to the CRD's default
    p.getSpec().setPlacement(null);
    p.getSpec().setCompatibility(null);
    p.getSpec().setResources(null);
    return p;
  }

  /** The cell of {@code row} under {@code column}: kubectl aligns cells with their header, blank ones too. */
  private static String cell(String header, String row, String column) {
    int at = header.indexOf(column);
    String rest = row.length() <= at ? "" : row.substring(at);
    return rest.isEmpty() || Character.isWhitespace(rest.charAt(0)) ? "" : rest.split("\\s+")[0];
  }

  private static String kubectl(LocalClusterHandle cluster, TestNamespace ns, String... args) {
    try {
      String bin = cluster.run("bin-dir").trim();
      List<String> cmd = new ArrayList<>(List.of(
          bin + "/kubectl", "--kubeconfig", cluster.kubeconfig().toString(), "-n", ns.name()));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(String.join(" ", args) + ": " + out).isZero();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
