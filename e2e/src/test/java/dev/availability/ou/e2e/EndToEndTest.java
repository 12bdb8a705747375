package dev.availability.ou.e2e;

import dev.availability.ou.testsupport.ClusterFaults;
import dev.availability.ou.testsupport.KubernetesCluster;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with the operator running, sidecar doubles and fault injection on the shared cluster. */
@KubernetesCluster
abstract class EndToEndTest {
  static UnitHarness h;
  static ClusterFaults faults;
  static LocalClusterHandle cluster;

  @BeforeAll
  static void startHarness(
      KubernetesClient client, TestNamespace ns, LocalClusterHandle c, ClusterFaults f) {
    h = new UnitHarness(client, ns, c);
    faults = f;
    cluster = c;
  }

  @AfterAll
  static void stopHarness() {
    if (h != null) h.close();
    h = null;
  }
}
