package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.FailoverProgress;
import dev.availability.ou.api.MemberRef;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.SidecarHeap;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.Observation;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 15 item 7: whatever is read from the cluster is read defensively; a bad value never throws. */
class ObservationBuilderTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aNonNumericEpochOrDurationOnTheUnitsLeaseIsReadAsUnknownInsteadOfThrowing()
      throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    Lease lease = lease(Map.of(
        ContractKeys.LEASE_EPOCH_ANNOTATION,
        "three",
        ContractKeys.LEASE_DURATION_MS_ANNOTATION,
        "-5"));
    Observation o = new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), lease, null, List.of(), NOW);
    assertThat(o.lease().holder()).isEqualTo("kv-0");
    assertThat(o.lease().epoch())
        .as("an epoch no unit has: the operator rewrites the lease")
        .isEqualTo(-1L);
    assertThat(o.lease().duration())
        .as("the lease's own duration")
        .isEqualTo(Duration.ofSeconds(2));

    Readings readings = new Readings();
    new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), lease, null, List.of(), NOW, readings);
    assertThat(readings.malformed())
        .containsExactly(
            "Lease kv-primary annotation " + ContractKeys.LEASE_EPOCH_ANNOTATION
                + " is not a whole number: 'three'",
            "Lease kv-primary annotation " + ContractKeys.LEASE_DURATION_MS_ANNOTATION
                + " is not positive: '-5'");
  }

  @Test
  void aTimeInTheStatusThatIsNotATimeIsReadAsUnknownInsteadOfThrowing() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    OperationalUnitStatus status = new OperationalUnitStatus();
    status.setPrimary(new MemberRef("kv-0", "n1"));
    status.setEpoch(1L);
    FailoverProgress f = new FailoverProgress();
    f.setTargetPrimary("kv-1");
    f.setFormerPrimary("kv-0");
    f.setEpoch(2L);
    f.setFaultObservedAt("yesterday");
    f.setDecidedAt("2026-01-01T00:00:00Z");
    f.setServiceSwitchedAt("soon");
    status.setFailover(f);
    unit.setStatus(status);
    Observation o = new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), null, null, List.of(), NOW);
    assertThat(o.state().intent().faultObservedAt())
        .as("not known: the decision time")
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(o.state().intent().serviceSwitchedAt()).isNull();

    Readings readings = new Readings();
    new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), null, null, List.of(), NOW, readings);
    assertThat(readings.malformed())
        .containsExactly(
            "status.failover.faultObservedAt is not an RFC 3339 time: 'yesterday'",
            "status.failover.serviceSwitchedAt is not an RFC 3339 time: 'soon'");
  }

  @Test
  void aMalformedReportOrAssignmentOnAPodIsReadAsAbsentInsteadOfThrowing() throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    Pod pod = new PodBuilder()
        .withNewMetadata()
        .withName("kv-0")
        .withNamespace("ns")
        .withUid("p0")
        .addToLabels(ContractKeys.UNIT_LABEL, "kv")
        .addToAnnotations(ContractKeys.REPORT_ANNOTATION, "{\"role\":\"Primary\",\"epoch\":\"x\"}")
        .addToAnnotations(ContractKeys.ASSIGNMENT_ANNOTATION, "[1,2]")
        .endMetadata()
        .build();
    Observation o = new ObservationBuilder()
        .build(unit, List.of(pod), List.of(), Map.of(), null, null, List.of(), NOW);
    assertThat(o.members().get("kv-0").report()).isNull();
    assertThat(o.members().get("kv-0").assignedRole()).isNull();

    Readings readings = new Readings();
    new ObservationBuilder()
        .build(unit, List.of(pod), List.of(), Map.of(), null, null, List.of(), NOW, readings);
    assertThat(readings.malformed())
        .as("said, not silently dropped")
        .hasSize(2)
        .anySatisfy(m -> assertThat(m)
            .startsWith(
                "pod kv-0 annotation " + ContractKeys.ASSIGNMENT_ANNOTATION + " is malformed"))
        .anySatisfy(m -> assertThat(m)
            .startsWith("pod kv-0 annotation " + ContractKeys.REPORT_ANNOTATION + " is malformed")
            .contains("epoch is not a long"));
  }

  /**
   * CI (the pool drill): while one drill's namespace was deleted, the next drill's units had the same names, so pods
   * of one name in two namespaces. The Ready one cleared the unready one's first sighting on every pass, and the
   * starting primary's unreadiness seemed to begin seconds after its application started: no startup allowance, and
   * it failed over. Each pod's sighting is its own.
   */
  @Test
  void aNamesakePodReadyInAnotherNamespaceDoesNotRestartAnUnreadyPodsFirstSighting()
      throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    Pod unready = new PodBuilder(podWith("False", "False"))
        .editStatus()
        .editFirstCondition()
        .withLastTransitionTime(null) // no transition time: the operator's first sighting counts
        .endCondition()
        .endStatus()
        .build();
    Pod namesake = new PodBuilder(podWith("True", "True"))
        .editMetadata()
        .withNamespace("other")
        .withUid("p1")
        .endMetadata()
        .build();
    ObservationBuilder b = new ObservationBuilder();
    b.build(unit, List.of(unready), List.of(), Map.of(), null, null, List.of(), NOW);
    b.build(
        unit, List.of(namesake), List.of(), Map.of(), null, null, List.of(), NOW.plusSeconds(5));
    Observation o = b.build(
        unit, List.of(unready), List.of(), Map.of(), null, null, List.of(), NOW.plusSeconds(10));
    assertThat(o.members().get("kv-0").readySince())
        .as("unready since it was first seen, not since its namesake was seen Ready")
        .isEqualTo(NOW);
  }

  private static Pod podWith(String ready, String containersReady) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("kv-0")
        .withNamespace("ns")
        .withUid("p0")
        .addToLabels(ContractKeys.UNIT_LABEL, "kv")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .withLastTransitionTime("2026-01-01T00:00:00Z")
        .endCondition()
        .addNewCondition()
        .withType("ContainersReady")
        .withStatus(containersReady)
        .withLastTransitionTime("2026-01-01T00:00:00Z")
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void aPodTheNodeControllerMarkedNotReadyWhileItsContainersAreReadyCountsAsReady()
      throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    // After an API server outage past its grace the node controller marks every pod Ready=False,
    // ContainersReady untouched.
    Observation marked = new ObservationBuilder()
        .build(
            unit,
            List.of(podWith("False", "True")),
            List.of(),
            Map.of(),
            null,
            null,
            List.of(),
            NOW);
    assertThat(marked.members().get("kv-0").ready()).isTrue();
    Observation kubelets = new ObservationBuilder()
        .build(
            unit,
            List.of(podWith("False", "False")),
            List.of(),
            Map.of(),
            null,
            null,
            List.of(),
            NOW);
    assertThat(kubelets.members().get("kv-0").ready())
        .as("the kubelet's own word")
        .isFalse();
  }

  @Test
  void aMalformedValueMakesTheUnitsMalformedValuesConditionTrueSayingWhereItIs() {
    var none = MalformedValuesCondition.of(List.of());
    assertThat(none.status()).isFalse();
    assertThat(none.reason()).isEqualTo("AllReadable");
    var some = MalformedValuesCondition.of(
        List.of("Lease kv-primary annotation x is not a whole number: 'three'"));
    assertThat(some.type().name()).isEqualTo("MalformedValues");
    assertThat(some.status()).isTrue();
    assertThat(some.reason()).isEqualTo("MalformedValue");
    assertThat(some.message()).contains("Lease kv-primary").contains("'three'");
  }

  @Test
  void aValueTooLongIsShownCut() {
    Readings readings = new Readings();
    assertThat(readings.number("Lease l annotation e", "9".repeat(30))).isNull();
    assertThat(readings.malformed())
        .singleElement()
        .satisfies(m -> assertThat(m).endsWith("9".repeat(30) + "'"));
    assertThat(readings.number("Lease l annotation e", "x".repeat(500))).isNull();
    assertThat(readings.malformed().get(1)).hasSizeLessThan(160).endsWith("…'");
  }

  static Lease lease(Map<String, String> annotations) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName("kv-primary")
        .withNamespace("ns")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity("kv-0")
        .withLeaseDurationSeconds(2)
        .withRenewTime(NOW.atZone(ZoneOffset.UTC))
        .endSpec()
        .build();
  }

  @Test
  void aNodeBeingEmptiedSaysWhyCordonedOrTaintedForADrainOrAScaleDownButNotForAMereCandidacy() {
    io.fabric8.kubernetes.api.model.Node cordoned =
        new io.fabric8.kubernetes.api.model.NodeBuilder()
            .withNewMetadata()
            .withName("n1")
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(true)
            .addNewTaint()
            .withKey("node.kubernetes.io/unschedulable")
            .withEffect("NoSchedule")
            .withTimeAdded("2026-01-01T00:00:00Z")
            .endTaint()
            .endSpec()
            .build();
    io.fabric8.kubernetes.api.model.Node cordonedJustNow =
        new io.fabric8.kubernetes.api.model.NodeBuilder()
            .withNewMetadata()
            .withName("n1")
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(true)
            .endSpec()
            .build();
    io.fabric8.kubernetes.api.model.Node autoscaled =
        node("ToBeDeletedByClusterAutoscaler", "NoSchedule");
    io.fabric8.kubernetes.api.model.Node karpenter = node("karpenter.sh/disrupted", "NoSchedule");
    io.fabric8.kubernetes.api.model.Node candidate =
        node("DeletionCandidateOfClusterAutoscaler", "PreferNoSchedule");
    io.fabric8.kubernetes.api.model.Node soft =
        node("ToBeDeletedByClusterAutoscaler", "PreferNoSchedule");
    io.fabric8.kubernetes.api.model.Node plain = new io.fabric8.kubernetes.api.model.NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .build();

    assertThat(ObservationBuilder.maintenance(cordoned))
        .isEqualTo(new NodeView.Maintenance("cordoned", Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(ObservationBuilder.maintenance(cordonedJustNow))
        .as("the node controller has not tainted it yet")
        .isEqualTo(new NodeView.Maintenance("cordoned", null));
    assertThat(ObservationBuilder.maintenance(autoscaled).why())
        .isEqualTo(
            "being removed by the cluster autoscaler (taint ToBeDeletedByClusterAutoscaler)");
    assertThat(ObservationBuilder.maintenance(karpenter).why())
        .isEqualTo("being disrupted by Karpenter (taint karpenter.sh/disrupted)");
    assertThat(ObservationBuilder.maintenance(node("ToBeDeletedByClusterAutoscaler", "NoSchedule"))
            .since())
        .isNull();
    assertThat(ObservationBuilder.maintenance(candidate)).isNull();
    assertThat(ObservationBuilder.maintenance(soft)).isNull();
    assertThat(ObservationBuilder.maintenance(plain)).isNull();

    OperationalUnit unit;
    try {
      unit = MemberPodBuilderTest.sample();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Observation o = new ObservationBuilder()
        .build(unit, List.of(), List.of(cordoned), Map.of(), null, null, List.of(), NOW);
    assertThat(o.nodes().get("n1").underMaintenance()).isTrue();
    assertThat(o.nodes().get("n1").maintenance().why()).isEqualTo("cordoned");
  }

  private static io.fabric8.kubernetes.api.model.Node node(String taint, String effect) {
    return new io.fabric8.kubernetes.api.model.NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .endMetadata()
        .withNewSpec()
        .addNewTaint()
        .withKey(taint)
        .withEffect(effect)
        .endTaint()
        .endSpec()
        .build();
  }

  @Test
  void aSidecarsMemoryComesWithTheSizesTheContractDerivesFromItsState() {
    Member.Memory m = ObservationBuilder.memory(30L << 20, 64L << 20, true);
    assertThat(m.heapNeededBytes())
        .isEqualTo(SidecarHeap.forStateBytes(30L << 20))
        .isEqualTo(78L << 20);
    assertThat(m.stateMemoryToDeclareMiB()).isEqualTo(38);
    assertThat(ObservationBuilder.memory(-1, 64L << 20, false).heapNeededBytes())
        .as("nonsense is read, never thrown on")
        .isPositive();
  }

  @Test
  void theConditionsTheStatusShowsTrueAreObservedSoTheCoreTellsWhenOneStarts() {
    OperationalUnitStatus s = new OperationalUnitStatus();
    s.setConditions(List.of(
        new ConditionBuilder()
            .withType("SidecarMemoryPressure")
            .withStatus("True")
            .build(),
        new ConditionBuilder().withType("Ready").withStatus("False").build(),
        new ConditionBuilder().withType("SomethingElse").withStatus("True").build()));
    assertThat(ObservationBuilder.shownTrue(s))
        .containsExactly(ConditionType.SidecarMemoryPressure);
    assertThat(ObservationBuilder.shownTrue(null)).isEmpty();
  }
}
