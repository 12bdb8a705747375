package dev.availability.ou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code OU_TEST_CLUSTER=k3s} (here as a system property, which the extension reads like the environment variable)
 * on a machine without Docker: every {@link KubernetesCluster} test is skipped with a
 * reason that says so, none fails. Runs the extension in an engine of its own, so it needs no cluster.
 * (With Docker, {@link K3sBackend} starts k3s instead; that is not exercised on machines without Docker.)
 */
class K3sWithoutDockerTest {

  @AfterEach
  void clear() {
    System.clearProperty("OU_TEST_CLUSTER");
  }

  @Test
  void k3sTestsAreSkippedWithAReasonWhenNoDockerEngineIsAvailable() {
    assumeThat(K3sBackend.dockerAvailable())
        .as("this machine has Docker; the k3s path would really start k3s")
        .isFalse();
    System.setProperty("OU_TEST_CLUSTER", "k3s");

    Events events = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(SomeClusterTest.class))
        .execute()
        .allEvents();

    assertThat(events.failed().count()).as("failed events").isZero();
    assertThat(events.skipped().count() + events.aborted().count()).isPositive();
    String reason = events.aborted().stream()
        .map(e ->
            e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow())
        .map(r -> r.getThrowable().map(Throwable::getMessage).orElse(""))
        .findFirst()
        .orElse("");
    assertThat(reason).contains("OU_TEST_CLUSTER=k3s needs a Docker engine");
  }

  /** Run only by the engine above: a static nested class, which neither Jupiter nor Surefire runs on its own. */
  @KubernetesCluster
  static class SomeClusterTest {
    @Test
    void wouldUseTheCluster(KubernetesClient client) {
      assertThat(client.nodes().list().getItems()).isNotEmpty();
    }
  }
}
