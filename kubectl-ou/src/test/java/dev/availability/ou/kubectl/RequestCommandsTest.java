package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.RequestStatus.State;
import dev.availability.ou.api.UnitAnnotations;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.e2e.Units;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands that ask the operator for something, against the real API server with no operator running: what each
 * writes, and how it waits (progress, Done, Refused, no answer in time). {@link OperatorStandIn} answers in
 * status.requests as the operator does; PluginWithOperatorTest runs the plugin against the operator itself.
 */
@KubernetesCluster
class RequestCommandsTest {
  static KubernetesClient client;
  static String ns;
  static Plugin plugin;
  static LocalClusterHandle cluster;

  @BeforeAll
  static void cluster(KubernetesClient c, TestNamespace namespace, LocalClusterHandle handle) {
    client = c;
    ns = namespace.name();
    cluster = handle;
    Units.installCrd(client, cluster.repoRoot());
    plugin = new Plugin(cluster.kubeconfig(), ns);
  }

  /** A unit and two member pods it owns, as the operator would have made them (nobody runs them: no operator here). */
  static OperationalUnit unitWithMembers(String name) {
    OperationalUnit unit =
        new Units(client, ns).create(Units.sample(cluster.repoRoot(), name, "10s"));
    for (int i = 0; i < 2; i++) {
      client
          .pods()
          .inNamespace(ns)
          .resource(new PodBuilder()
              .withNewMetadata()
              .withName(name + "-" + i)
              .addToLabels(ContractKeys.UNIT_LABEL, name)
              .addToLabels(ContractKeys.MEMBER_LABEL, name + "-" + i)
              .withOwnerReferences(new OwnerReferenceBuilder()
                  .withApiVersion(unit.getApiVersion())
                  .withKind(unit.getKind())
                  .withName(name)
                  .withUid(unit.getMetadata().getUid())
                  .withController(true)
                  .build())
              .endMetadata()
              .withNewSpec()
              .addNewContainer()
              .withName("app")
              .withImage("app:1")
              .endContainer()
              .endSpec()
              .build())
          .create();
    }
    return unit;
  }

  static String annotation(String unit, String key) {
    Map<String, String> a = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName(unit)
        .get()
        .getMetadata()
        .getAnnotations();
    return a == null ? null : a.get(key);
  }

  @Test
  void promoteAsksForASwitchoverAndWaitsUntilTheOperatorHasDoneIt() throws Exception {
    unitWithMembers("sw");
    try (var op = new OperatorStandIn(
        client,
        ns,
        "sw",
        (kind, value) -> new OperatorStandIn.Answer(State.Done, "sw-1 is primary at epoch 2"))) {
      Plugin.Result r = plugin.run("promote", "sw", "sw-1", "--timeout", "60s");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("sw: a switchover to sw-1 done: sw-1 is primary at epoch 2");
      assertThat(r.err())
          .contains(
              "asked for a switchover to sw-1 (" + UnitAnnotations.SWITCHOVER_TO + "=sw-1@",
              "InProgress: working on",
              "Done: sw-1 is primary");
      String first = annotation("sw", UnitAnnotations.SWITCHOVER_TO);
      assertThat(first).startsWith("sw-1@");

      Plugin.Result again = plugin.run("promote", "sw", "--timeout", "60s");
      assertThat(again.exit()).as(again.toString()).isZero();
      assertThat(annotation("sw", UnitAnnotations.SWITCHOVER_TO))
          .as("a new request each time")
          .startsWith("any@")
          .isNotEqualTo(first);
    }
  }

  @Test
  void aRefusedRequestExitsOneWithTheOperatorsMessage() throws Exception {
    unitWithMembers("ref");
    try (var op = new OperatorStandIn(
        client,
        ns,
        "ref",
        (kind, value) -> new OperatorStandIn.Answer(
            State.Refused, "no standby is in sync (ref-1 trails by 12): wait until it is"))) {
      Plugin.Result r = plugin.run("drill", "ref", "--timeout", "60s");
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "error: the operator refused a failover drill: no standby is in sync (ref-1 trails by 12): wait until it is");
      assertThat(r.out()).isEmpty();
      assertThat(annotation("ref", UnitAnnotations.DRILL)).isNotBlank();
    }
  }

  @Test
  void withNoAnswerInTimeItExitsOneAndSaysTheRequestStaysAsked() {
    unitWithMembers("silent");
    Plugin.Result r = plugin.run("pause", "silent", "--timeout", "2s");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "error: no answer from the operator within 2s to a pause of the operator",
            "Is it running?",
            "The request stays asked (" + UnitAnnotations.PAUSED + "=true)",
            "kubectl annotate ou silent " + UnitAnnotations.PAUSED + "-");
    assertThat(annotation("silent", UnitAnnotations.PAUSED)).isEqualTo("true");

    Plugin.Result noWait = plugin.run("resume", "silent", "--no-wait");
    assertThat(noWait.exit()).as(noWait.toString()).isZero();
    assertThat(annotation("silent", UnitAnnotations.PAUSED)).isEqualTo("false");
    Plugin.Result again = plugin.run("resume", "silent");
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).contains("silent: not paused; nothing to do");
  }

  @Test
  void fenceAndUnfenceEditTheListOneMemberAtATime() throws Exception {
    unitWithMembers("fc");
    try (var op = new OperatorStandIn(
        client,
        ns,
        "fc",
        (kind, value) -> new OperatorStandIn.Answer(State.Done, "fenced: " + value))) {
      assertThat(plugin.run("fence", "fc", "fc-0").exit()).isZero();
      Plugin.Result second = plugin.run("fence", "fc", "fc-1");
      assertThat(second.exit()).as(second.toString()).isZero();
      assertThat(second.out()).contains("fencing fc-1 done: fenced: fc-0,fc-1");
      assertThat(annotation("fc", UnitAnnotations.FENCED_MEMBERS)).isEqualTo("fc-0,fc-1");
      assertThat(plugin.run("unfence", "fc", "fc-0").exit()).isZero();
      assertThat(annotation("fc", UnitAnnotations.FENCED_MEMBERS)).isEqualTo("fc-1");
      Plugin.Result last = plugin.run("unfence", "fc", "fc-1");
      assertThat(last.exit()).as(last.toString()).isZero();
      assertThat(annotation("fc", UnitAnnotations.FENCED_MEMBERS)).isEmpty();
    }
    Plugin.Result notFenced = plugin.run("unfence", "fc", "fc-0");
    assertThat(notFenced.exit()).as(notFenced.toString()).isZero();
    assertThat(notFenced.out()).contains("fc-0 is not fenced (fenced: none); nothing to do");

    Plugin.Result stranger = plugin.run("fence", "fc", "fc-9");
    assertThat(stranger.exit()).as(stranger.toString()).isEqualTo(1);
    assertThat(stranger.err())
        .contains("\"fc-9\" is not a member of unit fc: its members are fc-0, fc-1");
    assertThat(annotation("fc", UnitAnnotations.FENCED_MEMBERS))
        .as("nothing written for a stranger")
        .isEmpty();
  }

  @Test
  void aUnitThatIsNotThereIsAnErrorThatSaysWhereToLook() {
    Plugin.Result r = plugin.run("status", "nowhere");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "error: operationalunit \"nowhere\" not found in namespace \"" + ns + "\"",
            "kubectl get ou -n " + ns);
    Plugin.Result promote = plugin.run("promote", "nowhere");
    assertThat(promote.exit()).isEqualTo(1);
    Plugin.Result otherContext = Plugin.bare(
        "status", "x", "--kubeconfig", cluster.kubeconfig().toString(), "--context", "elsewhere");
    assertThat(otherContext.exit()).as(otherContext.toString()).isEqualTo(1);
    assertThat(otherContext.err()).contains("context \"elsewhere\" is not in the kubeconfig");
  }

  /** A unit whose failovers looped (Degraded, FailoverLoop) is resumed by the resume-failovers request, answered. */
  @Test
  void resumeOnAUnitWhoseFailoversLoopedAsksToResumeThem() {
    unitWithMembers("looped");
    OperationalUnit u = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName("looped")
        .get();
    u.setStatus(new dev.availability.ou.api.OperationalUnitStatus());
    u.getStatus()
        .setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder()
            .withType("Degraded")
            .withStatus("True")
            .withReason("FailoverLoop")
            .withMessage("3 failovers within 300 s")
            .withLastTransitionTime("2026-12-06T00:00:00Z")
            .build()));
    client.resources(OperationalUnit.class).inNamespace(ns).resource(u).updateStatus();

    Plugin.Result r = plugin.run("resume", "looped", "--no-wait");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err())
        .contains("asked for a resumption of automatic failover ("
            + UnitAnnotations.RESUME_FAILOVERS + "=");
    assertThat(annotation("looped", UnitAnnotations.RESUME_FAILOVERS)).isNotBlank();
    assertThat(annotation("looped", UnitAnnotations.PAUSED))
        .as("the pause is not touched")
        .isNull();
  }

  /** release and drop name a quarantined stimulus: an unknown id is an error naming those quarantined. */
  @Test
  void releaseAndDropAskAboutAQuarantinedStimulusAndRefuseAnUnknownOne() {
    unitWithMembers("poisoned");
    OperationalUnit u = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName("poisoned")
        .get();
    u.setStatus(new dev.availability.ou.api.OperationalUnitStatus());
    dev.availability.ou.api.QuarantinedStimulusStatus q =
        new dev.availability.ou.api.QuarantinedStimulusStatus();
    q.setId("job-7");
    q.setMembers(List.of("poisoned-0", "poisoned-1"));
    q.setFailedAt(List.of("2026-12-06T00:00:00Z", "2026-12-06T00:00:03Z"));
    q.setQuarantinedAt("2026-12-06T00:00:03Z");
    u.getStatus().setQuarantinedStimuli(List.of(q));
    client.resources(OperationalUnit.class).inNamespace(ns).resource(u).updateStatus();

    Plugin.Result unknown = plugin.run("drop", "poisoned", "job-8", "--no-wait");
    assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
    assertThat(unknown.err()).contains("no quarantined stimulus 'job-8'", "quarantined: job-7");
    assertThat(annotation("poisoned", UnitAnnotations.DROP_STIMULUS)).isNull();

    Plugin.Result drop = plugin.run("drop", "poisoned", "job-7", "--no-wait");
    assertThat(drop.exit()).as(drop.toString()).isZero();
    assertThat(annotation("poisoned", UnitAnnotations.DROP_STIMULUS)).startsWith("job-7@");
    Plugin.Result release = plugin.run("release", "poisoned", "job-7", "--no-wait");
    assertThat(release.exit()).as(release.toString()).isZero();
    assertThat(annotation("poisoned", UnitAnnotations.RELEASE_STIMULUS)).startsWith("job-7@");
  }

  @Test
  void historyAndStatusShowWhatTheStatusRecords() throws Exception {
    unitWithMembers("hist");
    OperationalUnit u =
        client.resources(OperationalUnit.class).inNamespace(ns).withName("hist").get();
    u.setStatus(new dev.availability.ou.api.OperationalUnitStatus());
    u.getStatus().setEpoch(3L);
    u.getStatus()
        .setHistory(List.of(
            record(FailoverRecord.Kind.Drill, "hist-1", "hist-0", 3, "DrillRequested", true),
            record(FailoverRecord.Kind.Failover, "hist-0", "hist-1", 2, "LeaseExpired", false)));
    RequestStatus drill = new RequestStatus();
    drill.setKind(RequestStatus.Kind.Drill);
    drill.setValue("2026-12-05T10:00:00Z");
    drill.setState(State.Done);
    drill.setMessage("drill done in 1.2s");
    u.getStatus().setRequests(List.of(drill));
    client.resources(OperationalUnit.class).inNamespace(ns).resource(u).updateStatus();

    Plugin.Result text = plugin.run("history", "hist");
    assertThat(text.exit()).as(text.toString()).isZero();
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0))
        .containsSubsequence(
            "AGE", "KIND", "FROM", "TO", "EPOCH", "REASON", "DETECT", "PROMOTE", "TRAFFIC",
            "BUDGET", "LOST");
    assertThat(lines.get(1))
        .containsSubsequence(
            "Drill", "hist-1", "hist-0", "3", "DrillRequested", "1.2s", "met (5s)");
    assertThat(lines.get(2))
        .containsSubsequence("Failover", "hist-0", "hist-1", "2", "LeaseExpired", "MISSED (5s)");

    JsonNode json =
        new ObjectMapper().readTree(plugin.run("history", "hist", "-o", "json").out());
    assertThat(json).hasSize(2);
    assertThat(json.get(0).get("kind").asText()).isEqualTo("Drill");

    Plugin.Result status = plugin.run("status", "hist");
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains(
            "Unit hist in " + ns + ":",
            "epoch 3",
            "Synchronous",
            "hist-0",
            "hist-1",
            "no report from its sidecar yet",
            "Lease: none yet",
            "Drill",
            "drill done in 1.2s",
            "LeaseExpired");
    JsonNode view =
        new ObjectMapper().readTree(plugin.run("status", "hist", "-o", "json").out());
    assertThat(view.get("members")).hasSize(2);
    assertThat(view.get("history").get(1).get("reason").asText()).isEqualTo("LeaseExpired");
    assertThat(view.get("requests").get(0).get("state").asText()).isEqualTo("Done");
  }

  private static FailoverRecord record(
      FailoverRecord.Kind kind, String from, String to, long epoch, String reason, boolean met) {
    FailoverRecord r = new FailoverRecord();
    r.setKind(kind);
    r.setFormerPrimary(from);
    r.setNewPrimary(to);
    r.setEpoch(epoch);
    r.setReason(reason);
    r.setDecidedAt(java.time.Instant.now()
        .minusSeconds(kind == FailoverRecord.Kind.Drill ? 60 : 3600)
        .toString());
    r.setDetectionMillis(1_200L);
    r.setPromotionMillis(300L);
    r.setTrafficSwitchedMillis(met ? 1_800L : 7_000L);
    r.setRecoveryBudgetMillis(5_000L);
    r.setWithinRecoveryBudget(met);
    r.setUpdatesLost(0L);
    return r;
  }
}
