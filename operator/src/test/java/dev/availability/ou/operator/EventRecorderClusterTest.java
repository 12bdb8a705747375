package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.failover.EventReason;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Repeats of one Event on the real API server: one Event, its count written once the hold is over. */
@KubernetesCluster
class EventRecorderClusterTest {

  @Test
  void repeatsWithinTheHoldAreWrittenOnceAsOneEventWithTheirCount(
      KubernetesClient client, TestNamespace namespace) {
    ConfigMap involved = client
        .configMaps()
        .inNamespace(namespace.name())
        .resource(new ConfigMapBuilder()
            .withNewMetadata()
            .withName("unit-a")
            .withNamespace(namespace.name())
            .endMetadata()
            .build())
        .create();
    EventRecorder recorder = new EventRecorder(client);
    try {
      for (int i = 0; i < 6; i++)
        recorder.record(involved, EventReason.PeerUnreachable, "standby lost the primary", true);
      recorder.record(involved, EventReason.PrimarySuspect, "one weak signal", true);

      await("both events created")
          .atMost(Duration.ofSeconds(10))
          .until(() -> events(client, namespace).size() == 2);
      assertThat(count(client, namespace, "PeerUnreachable"))
          .as("the repeats are held: the Event still shows its first write")
          .isEqualTo(1);
      await("the repeats written once the hold is over")
          .atMost(EventFolding.HOLD.plusSeconds(10))
          .until(() -> count(client, namespace, "PeerUnreachable") == 6);
      assertThat(events(client, namespace)).hasSize(2);
      assertThat(count(client, namespace, "PrimarySuspect")).isEqualTo(1);
    } finally {
      recorder.stop();
    }
  }

  private static List<Event> events(KubernetesClient client, TestNamespace namespace) {
    return client.v1().events().inNamespace(namespace.name()).list().getItems();
  }

  private static int count(KubernetesClient client, TestNamespace namespace, String reason) {
    return events(client, namespace).stream()
        .filter(e -> reason.equals(e.getReason()))
        .mapToInt(e -> e.getCount() == null ? 1 : e.getCount())
        .sum();
  }
}
