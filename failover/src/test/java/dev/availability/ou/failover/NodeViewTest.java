package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeViewTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(8);

  @Test
  void aNodeTheControllerMarkedUnknownWhileItsKubeletStillRenewsIsHealthy() {
    // After the API server was down past the node controller's grace, every node is Unknown for a
    // moment.
    assertThat(new NodeView("n", NodeView.Ready.Unknown, NOW, NOW.minusSeconds(2), LEASE, NOW)
            .healthy())
        .isTrue();
  }

  @Test
  void anUnknownNodeWhoseLeaseLapsedOrAKubeletThatSaysNotReadyIsNot() {
    assertThat(
            new NodeView("n", NodeView.Ready.Unknown, NOW, NOW.minus(LEASE), LEASE, NOW).healthy())
        .isFalse();
    assertThat(new NodeView("n", NodeView.Ready.Unknown, NOW, null, LEASE, NOW).healthy())
        .isFalse();
    assertThat(new NodeView("n", NodeView.Ready.False, NOW, NOW, LEASE, NOW).healthy())
        .as("the kubelet's own word")
        .isFalse();
    assertThat(new NodeView("n", NodeView.Ready.True, NOW, null, null, null).healthy())
        .isTrue();
  }
}
