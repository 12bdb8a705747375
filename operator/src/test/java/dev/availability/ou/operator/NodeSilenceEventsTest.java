package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which nodes fell silent or were heard again between two samples: one event per node and change. */
class NodeSilenceEventsTest {
  static final Instant T = Instant.parse("2026-12-06T22:00:00Z");

  static Lease nodeLease(Integer seconds) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName("node-a")
        .withNamespace("kube-node-lease")
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity("node-a")
        .withLeaseDurationSeconds(seconds)
        .endSpec()
        .build();
  }

  @Test
  void aNodeLeaseIsStaleThreeEighthsOfItsDurationAfterItsLastRenewalSeen() {
    assertThat(NodeSilenceEvents.staleAt(nodeLease(8), T)).isEqualTo(T.plusSeconds(3));
    assertThat(NodeSilenceEvents.staleAt(nodeLease(40), T)).isEqualTo(T.plusSeconds(15));
    assertThat(NodeSilenceEvents.staleAt(nodeLease(8), null))
        .as("never renewed")
        .isNull();
    assertThat(NodeSilenceEvents.staleAt(nodeLease(null), T)).as("no duration").isNull();
  }

  @Test
  void aNodeIsSilentOnlyStrictlyPastItsStaleMoment() {
    Map<String, Instant> staleAt = Map.of("node-a", T, "node-b", T.plusSeconds(1));
    assertThat(NodeSilenceEvents.silent(staleAt, T)).isEmpty();
    assertThat(NodeSilenceEvents.silent(staleAt, T.plusMillis(1))).containsExactly("node-a");
    assertThat(NodeSilenceEvents.silent(staleAt, T.plusSeconds(2)))
        .containsExactlyInAnyOrder("node-a", "node-b");
  }

  @Test
  void onlyNodesThatFellSilentOrWereHeardAgainChange() {
    assertThat(NodeSilenceEvents.changed(Set.of(), Set.of())).isEmpty();
    assertThat(NodeSilenceEvents.changed(Set.of("a"), Set.of("a")))
        .as("still silent")
        .isEmpty();
    assertThat(NodeSilenceEvents.changed(Set.of("a"), Set.of("a", "b"))).containsExactly("b");
    assertThat(NodeSilenceEvents.changed(Set.of("a", "b"), Set.of("b"))).containsExactly("a");
  }
}
