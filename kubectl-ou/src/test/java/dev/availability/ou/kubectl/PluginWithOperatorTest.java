package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.e2e.OperatorProcess;
import dev.availability.ou.e2e.SidecarDoubles;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.memberapi.ContractJson;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin against a unit the real operator runs (as a process, with sidecar doubles in place of the sidecars KWOK
 * cannot run): status and report show what the API server holds, and the report holds no secret.
 */
@KubernetesCluster
class PluginWithOperatorTest {
  static final String UNIT = "kv";
  static KubernetesClient client;
  static String ns;
  static Plugin plugin;
  static OperatorProcess operator;
  static SidecarDoubles doubles;
  static Units units;
  static Path repoRoot;

  @BeforeAll
  static void start(KubernetesClient c, TestNamespace namespace, LocalClusterHandle cluster) {
    client = c;
    ns = namespace.name();
    plugin = new Plugin(cluster.kubeconfig(), ns);
    Units.installCrd(client, cluster.repoRoot());
    units = new Units(client, ns);
    doubles = new SidecarDoubles(client, ns);
    operator = OperatorProcess.start(
        cluster.repoRoot(), cluster.kubeconfig(), "plugin-" + ns, "ou-plugin-" + ns, Map.of());
    repoRoot = cluster.repoRoot();
    createProtected(UNIT);
  }

  static void createProtected(String name) {
    units.create(Units.sample(repoRoot, name, "10s"));
    await("unit " + name + " Protected, its lease renewed by the primary")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> units.phase(name) == UnitPhase.Protected
            && units.standby(name) != null
            && doubles.has(units.primary(name))
            && doubles.has(units.standby(name))
            && units.primary(name).equals(leaseHolder(name)));
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    if (doubles != null) doubles.close();
  }

  static String leaseHolder(String unit) {
    var lease = client
        .leases()
        .inNamespace(ns)
        .withName(ContractKeys.primaryLeaseName(unit))
        .get();
    return lease == null || lease.getSpec().getRenewTime() == null
        ? null
        : lease.getSpec().getHolderIdentity();
  }

  @Test
  void statusShowsEachMemberAsItsSidecarReportsItWithTheLeaseConditionsAndEvents()
      throws IOException {
    OperationalUnit unit = units.get(UNIT);
    String primary = unit.getStatus().getPrimary().getPod();
    String standby = unit.getStatus().getStandby().getPod();

    Plugin.Result text = plugin.run("status", UNIT);
    System.out.println("kubectl ou status " + UNIT + ":\n" + text.out());
    assertThat(text.exit()).as(text.toString()).isZero();
    assertThat(text.out())
        .contains(
            "Unit kv in " + ns + ": Protected, epoch 1, Synchronous, 0 failovers",
            "Lease kv-primary: held by " + primary + " at epoch 1",
            "MembersCreated",
            "no failovers, switchovers or drills yet");
    assertThat(text.out().lines().filter(l -> l.startsWith(primary + " ")))
        .singleElement()
        .asString()
        .containsSubsequence(primary, units.nodeOf(primary), "Primary", "1");
    assertThat(text.out().lines().filter(l -> l.startsWith(standby + " ")))
        .singleElement()
        .asString()
        .containsSubsequence(standby, units.nodeOf(standby), "Standby", "1", "0", "true");
    assertThat(text.out().lines().filter(l -> l.startsWith("Ready ")))
        .singleElement()
        .asString()
        .contains("True", "PrimaryServing");

    JsonNode json =
        new ObjectMapper().readTree(plugin.run("status", UNIT, "-o", "json").out());
    assertThat(json.get("phase").asText()).isEqualTo("Protected");
    assertThat(json.get("lease").get("holder").asText()).isEqualTo(primary);
    Map<String, JsonNode> members = new LinkedHashMap<>();
    json.get("members").forEach(m -> members.put(m.get("pod").asText(), m));
    assertThat(members).containsOnlyKeys(primary, standby);
    for (String pod : members.keySet()) {
      JsonNode m = members.get(pod);
      MemberReport report = ContractJson.report(client
          .pods()
          .inNamespace(ns)
          .withName(pod)
          .get()
          .getMetadata()
          .getAnnotations()
          .get(ContractKeys.REPORT_ANNOTATION));
      assertThat(m.get("node").asText()).isEqualTo(units.nodeOf(pod));
      assertThat(m.get("role").asText())
          .isEqualTo(report.role().name())
          .isEqualTo(pod.equals(primary) ? "Primary" : "Standby");
      assertThat(m.get("epoch").asLong()).isEqualTo(report.epoch()).isEqualTo(1L);
      assertThat(m.get("durableSequence").asLong())
          .as("the durable sequence a report holds (it only grows)")
          .isLessThanOrEqualTo(report.lastDurableSeq());
      assertThat(m.get("peerHeartbeatAgeMillis").isNumber()).isTrue();
      assertThat(m.get("reportAgeMillis").asLong()).isBetween(-5_000L, 60_000L);
    }
    assertThat(members.get(standby).get("inSync").asBoolean()).isTrue();
    assertThat(members.get(standby).get("lag").asLong()).isZero();
    assertThat(json.get("conditions").findValuesAsText("type"))
        .contains("Ready", "Protected", "FailoverInProgress", "Degraded");
    assertThat(json.get("events").findValuesAsText("reason")).contains("MembersCreated");
  }

  @Test
  void reportHoldsTheUnitItsPodsEventsAndSaysWhatItCouldNotReachButNoSecret(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("support.tar.gz");
    Plugin.Result r = plugin.run("report", UNIT, "-f", file.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out().strip()).isEqualTo(file.toString());
    Map<String, byte[]> entries = untar(file);
    String root = entries.keySet().iterator().next().replaceFirst("/.*", "/");
    assertThat(root).startsWith("ou-report-kv-");
    assertThat(entries)
        .containsKeys(
            root + "README.txt",
            root + "status.txt",
            root + "status.json",
            root + "unit.yaml",
            root + "events.yaml",
            root + "pods/kv-0.yaml",
            root + "pods/kv-1.yaml",
            root + "objects/Service-kv.yaml",
            root + "objects/Lease-kv-primary.yaml",
            root + "objects/PodDisruptionBudget-kv.yaml");
    assertThat(text(entries, root + "unit.yaml")).contains("kind: OperationalUnit", "name: kv");
    assertThat(text(entries, root + "events.yaml")).contains("MembersCreated");
    assertThat(text(entries, root + "status.txt")).contains("Unit kv in " + ns + ": Protected");

    // Whatever could not be reached (KWOK runs no container: no log, no sidecar /status) is said,
    // with why.
    String readme = text(entries, root + "README.txt");
    System.out.println(readme);
    for (String pod : units.memberPods(UNIT)) {
      Pod p = client.pods().inNamespace(ns).withName(pod).get();
      for (Container c : p.getSpec().getContainers()) {
        boolean collected = entries.containsKey(root + "logs/" + pod + "/" + c.getName() + ".log");
        assertThat(collected
                || readme.contains("log of " + ns + "/" + pod + " container " + c.getName() + ": "))
            .as("the log of " + pod + "/" + c.getName()
                + " is in the report or README says why not:\n" + readme)
            .isTrue();
      }
      assertThat(entries.containsKey(root + "sidecars/" + pod + "-status.json")
              || readme.contains("the sidecar's /status of " + pod + " "))
          .as("the sidecar /status of " + pod + " is in the report or README says why not:\n"
              + readme)
          .isTrue();
    }
    assertThat(readme)
        .contains(
            "the operator's logs: no pod labelled app.kubernetes.io/name=ou-operator in any namespace");
    assertThat(r.err()).contains("not collected: the operator's logs");

    // The unit's one Secret, its peer key: neither the object nor its value, in any encoding,
    // anywhere.
    var secret = client
        .secrets()
        .inNamespace(ns)
        .withName(ContractKeys.peerSecretName(UNIT))
        .get();
    String encoded = secret.getData().get("key");
    byte[] key = Base64.getDecoder().decode(encoded);
    assertThat(key).hasSize(32);
    for (var e : entries.entrySet()) {
      assertThat(indexOf(e.getValue(), encoded.getBytes(StandardCharsets.US_ASCII)))
          .as(e.getKey() + " holds the key, base64")
          .isNegative();
      assertThat(indexOf(e.getValue(), key))
          .as(e.getKey() + " holds the key's bytes")
          .isNegative();
      assertThat(new String(e.getValue(), StandardCharsets.UTF_8))
          .as(e.getKey())
          .doesNotContain(HexFormat.of().formatHex(key))
          .doesNotContain("kind: Secret");
    }
  }

  /**
   * The operations answered by the operator itself (RequestCommandsTest covers the waiting paths with a stand-in).
   */
  @Test
  void theOperatorAnswersEachOperation() throws IOException {
    String unit = "ops";
    createProtected(unit);
    String standby = units.standby(unit);
    Plugin.Result pause = plugin.run("pause", unit, "--timeout", "60s");
    assertThat(pause.exit()).as(pause.toString()).isZero();
    assertThat(plugin.run("status", unit).out()).contains("Asked: PAUSED");
    Plugin.Result resume = plugin.run("resume", unit, "--timeout", "60s");
    assertThat(resume.exit()).as(resume.toString()).isZero();

    Plugin.Result promote = plugin.run("promote", unit, standby, "--timeout", "90s");
    assertThat(promote.exit()).as(promote.toString()).isZero();
    assertThat(units.primary(unit)).isEqualTo(standby);
    await("protected again")
        .atMost(Duration.ofSeconds(90))
        .until(() -> units.phase(unit) == UnitPhase.Protected
            && units.standby(unit) != null
            && doubles.has(units.standby(unit)));

    Plugin.Result drill = plugin.run("drill", unit, "--timeout", "90s");
    assertThat(drill.exit()).as(drill.toString()).isZero();
    JsonNode history =
        new ObjectMapper().readTree(plugin.run("history", unit, "-o", "json").out());
    assertThat(history.findValuesAsText("kind")).containsSubsequence("Drill", "Switchover");

    await("protected after the drill")
        .atMost(Duration.ofSeconds(90))
        .until(() -> units.phase(unit) == UnitPhase.Protected
            && units.standby(unit) != null
            && doubles.has(units.standby(unit)));
    String fenced = units.standby(unit);
    Plugin.Result fence = plugin.run("fence", unit, fenced, "--timeout", "60s");
    assertThat(fence.exit()).as(fence.toString()).isZero();
    assertThat(plugin.run("status", unit).out()).contains("Asked: fenced: " + fenced);
    Plugin.Result unfence = plugin.run("unfence", unit, fenced, "--timeout", "60s");
    assertThat(unfence.exit()).as(unfence.toString()).isZero();
    System.out.println(String.join(
        "\n",
        pause.err(),
        promote.err(),
        promote.out(),
        drill.err(),
        fence.err(),
        fence.out(),
        unfence.err(),
        unfence.out()));
  }

  private static Map<String, byte[]> untar(Path file) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        tar.transferTo(b);
        entries.put(e.getName(), b.toByteArray());
      }
    }
    return entries;
  }

  private static String text(Map<String, byte[]> entries, String name) {
    return new String(entries.get(name), StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
