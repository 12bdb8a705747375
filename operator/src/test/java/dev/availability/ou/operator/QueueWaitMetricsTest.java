package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QueueWaitMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> josdkHeard = new ArrayList<>();
  private final Metrics josdk = new Metrics() {
    @Override
    public void reconciliationSubmitted(
        io.fabric8.kubernetes.api.model.HasMetadata r,
        io.javaoperatorsdk.operator.api.reconciler.RetryInfo i,
        Map<String, Object> m) {
      josdkHeard.add("submitted");
    }

    @Override
    public void reconciliationStarted(
        io.fabric8.kubernetes.api.model.HasMetadata r, Map<String, Object> m) {
      josdkHeard.add("started");
    }
  };
  private final QueueWaitMetrics metrics = new QueueWaitMetrics(josdk, registry);

  @Test
  void recordsTheTimeFromSubmissionToStartAndStillTellsJosdk() throws Exception {
    var unit = MemberPodBuilderTest.sample();
    metrics.reconciliationSubmitted(unit, null, Map.of());
    Thread.sleep(30);
    metrics.reconciliationStarted(unit, Map.of());
    Timer wait = registry.get(QueueWaitMetrics.NAME).timer();
    assertThat(wait.count()).isEqualTo(1);
    assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(30);
    assertThat(josdkHeard).containsExactly("submitted", "started");
  }

  @Test
  void aStartWithoutSubmissionAndADeletedUnitRecordNothing() throws Exception {
    var unit = MemberPodBuilderTest.sample();
    metrics.reconciliationStarted(unit, Map.of());
    metrics.reconciliationSubmitted(unit, null, Map.of());
    metrics.cleanupDone(ResourceID.fromResource(unit), Map.of());
    metrics.reconciliationStarted(unit, Map.of());
    assertThat(registry.get(QueueWaitMetrics.NAME).timer().count()).isZero();
  }
}
