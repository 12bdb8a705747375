package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.Member;
import dev.availability.ou.failover.Observation;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's I/O layer on objects as a real API server returns them (the local control plane, no operator
 * process): what it reads ({@link ObservationBuilder}: deletion-time arithmetic on the server's own deletion
 * timestamp, a Lease the server stored without the unit's annotations) and what it writes and reads back
 * ({@link StatusMapper}: a condition keeps its transition time through the status subresource's round trip).
 */
@KubernetesCluster
class IoOnApiServerTest {
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void setUp(KubernetesClient c, TestNamespace namespace) throws Exception {
    client = c;
    ns = namespace.name();
    UnitCrd.install(client);
  }

  private static OperationalUnit sample(String name) throws Exception {
    OperationalUnit unit = MemberPodBuilderTest.sample();
    unit.getMetadata().setName(name);
    unit.getMetadata().setNamespace(ns);
    unit.getMetadata().setUid(null);
    return unit;
  }

  @Test
  void aMemberBeingDeletedIsDatedFromTheDeleteRequestNotFromTheServersDeadline() throws Exception {
    OperationalUnit unit = sample("io-del");
    // A finalizer holds the pod in Terminating, as a kubelet would while the grace period runs.
    Pod pod = client
        .pods()
        .inNamespace(ns)
        .resource(new PodBuilder()
            .withNewMetadata()
            .withName("io-del-0")
            .addToLabels(ContractKeys.UNIT_LABEL, "io-del")
            .addToFinalizers("ou.availability.dev/test-hold")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("kvstore")
            .withImage("none")
            .endContainer()
            .endSpec()
            .build())
        .create();
    Instant asked = Instant.now();
    client
        .pods()
        .inNamespace(ns)
        .withName(pod.getMetadata().getName())
        .withGracePeriod(45)
        .delete();
    Pod terminating = client.pods().inNamespace(ns).withName("io-del-0").get();
    try {
      assertThat(terminating.getMetadata().getDeletionTimestamp())
          .as("the server's deadline")
          .isNotNull();
      Observation o = new ObservationBuilder()
          .build(
              unit,
              List.of(terminating),
              List.of(),
              Map.of(),
              null,
              null,
              List.of(),
              Instant.now());
      Member m = o.member("io-del-0").orElseThrow();
      assertThat(m.deleting()).isTrue();
      // deletionTimestamp = request + grace, in whole seconds: the request is found again within a
      // second.
      assertThat(Duration.between(asked, m.deletionRequestedAt()).abs())
          .as("deletion requested at %s, asked at %s", m.deletionRequestedAt(), asked)
          .isLessThanOrEqualTo(Duration.ofMillis(1500));
    } finally {
      client.pods().inNamespace(ns).withName("io-del-0").edit(p -> {
        p.getMetadata().setFinalizers(List.of());
        return p;
      });
    }
  }

  @Test
  void aLeaseStoredWithoutTheUnitsAnnotationsTakesItsOwnDurationAndAMalformedOneIsNoted()
      throws Exception {
    OperationalUnit unit = sample("io-lease");
    Lease plain = client
        .leases()
        .inNamespace(ns)
        .resource(new LeaseBuilder()
            .withNewMetadata()
            .withName("io-lease-primary")
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("io-lease-0")
            .withLeaseDurationSeconds(7)
            .endSpec()
            .build())
        .create();
    Observation o = new ObservationBuilder()
        .build(unit, List.of(), List.of(), Map.of(), plain, null, List.of(), Instant.now());
    assertThat(o.lease().holder()).isEqualTo("io-lease-0");
    assertThat(o.lease().duration())
        .as("spec.leaseDurationSeconds as the server stored it")
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(o.lease().renewedAt()).as("never renewed").isNull();

    Lease edited = client.leases().inNamespace(ns).withName("io-lease-primary").edit(l -> {
      l.getMetadata().setAnnotations(Map.of(ContractKeys.LEASE_DURATION_MS_ANNOTATION, "soon"));
      return l;
    });
    Readings readings = new Readings();
    o = new ObservationBuilder()
        .build(
            unit, List.of(), List.of(), Map.of(), edited, null, List.of(), Instant.now(), readings);
    assertThat(o.lease().duration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(readings.malformed())
        .singleElement()
        .asString()
        .contains(ContractKeys.LEASE_DURATION_MS_ANNOTATION, "'soon'");
  }

  @Test
  void
      aConditionKeepsItsTransitionTimeThroughTheStatusSubresourceAndChangesItOnlyWhenItsStatusDoes()
          throws Exception {
    OperationalUnit created = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .resource(sample("io-status"))
        .create();
    Instant first = Instant.parse("2026-12-06T01:02:03.456Z");
    write(StatusMapper.refused(created, ConditionReason.InvalidSpec, "the first problem", first));
    OperationalUnit read = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName("io-status")
        .get();
    String since = degraded(read.getStatus()).getLastTransitionTime();

    // Still Degraded, for another reason, an hour later, from what the server gave back.
    write(StatusMapper.refused(
        read, ConditionReason.NameConflict, "another problem", first.plus(Duration.ofHours(1))));
    OperationalUnit again = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName("io-status")
        .get();
    Condition c = degraded(again.getStatus());
    assertThat(c.getReason()).isEqualTo("NameConflict");
    assertThat(c.getMessage()).isEqualTo("another problem");
    assertThat(c.getLastTransitionTime())
        .as("True all along: the transition time stays")
        .isEqualTo(since);
    assertThat(Instant.parse(since)).isEqualTo(first);
  }

  private static void write(OperationalUnitStatus status) {
    OperationalUnit u = client
        .resources(OperationalUnit.class)
        .inNamespace(ns)
        .withName("io-status")
        .get();
    u.setStatus(status);
    client.resources(OperationalUnit.class).inNamespace(ns).resource(u).updateStatus();
  }

  private static Condition degraded(OperationalUnitStatus s) {
    return s.getConditions().stream()
        .filter(x -> "Degraded".equals(x.getType()))
        .findFirst()
        .orElseThrow();
  }
}
