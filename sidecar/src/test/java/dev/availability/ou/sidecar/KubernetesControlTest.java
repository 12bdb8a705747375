package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.Limits;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes control source against Fabric8's mock API server (CRUD mode; a fast check of the
 * wiring, the real API server is the e2e suite's job): assignment from the pod, peer endpoint from the
 * peer's report, the lease, and the report on the member's own pod.
 */
class KubernetesControlTest {
  static final String NS = "shop";
  @TempDir Path dir;
  KubernetesMockServer server;
  KubernetesClient client;
  Store store;
  LogWriter writer;
  Replica replica;
  KubernetesControl control;
  LeaseKeeper lease;

  @BeforeEach
  void setUp() {
    server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
        new java.util.HashMap<>(), new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (lease != null) lease.close();
    if (control != null) control.close();
    if (writer != null) writer.close();
    if (store != null) store.close();
    server.destroy();
  }

  static Pod pod(String name, Assignment a, MemberReport report) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels(ContractKeys.UNIT_LABEL, "web").endMetadata();
    if (a != null) b.editMetadata().addToAnnotations(ContractKeys.ASSIGNMENT_ANNOTATION, a.toJson()).endMetadata();
    if (report != null) b.editMetadata().addToAnnotations(ContractKeys.REPORT_ANNOTATION, report.toJson()).endMetadata();
    return b.build();
  }

  @Test
  void followsTheAssignmentRenewsTheLeaseAndReportsOnItsOwnPod() throws Exception {
    client.pods().inNamespace(NS).resource(pod("web-b", null,
        new MemberReport(Role.Standby, 7, 0, 0L, false, false, 0L, true, "127.0.0.9:7480", 1))).create();
    client.pods().inNamespace(NS).resource(pod("web-a", new Assignment(Role.Primary, 7, "web-b", "Asynchronous"), null)).create();
    client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName(ContractKeys.primaryLeaseName("web"))
        .addToAnnotations(ContractKeys.LEASE_EPOCH_ANNOTATION, "7").addToAnnotations(ContractKeys.LEASE_DURATION_MS_ANNOTATION, "3000")
        .endMetadata().withNewSpec().withHolderIdentity("web-a").endSpec().build()).create();

    Config cfg = Config.from(Map.of("OU_POD_NAME", "web-a", "OU_NAMESPACE", NS, "OU_POD_IP", "127.0.0.8", "OU_DATA_DIR", dir.toString()), new String[0]);
    Counters counters = new Counters();
    store = new Store(dir, Limits.DEFAULT, cfg.segmentBytes(), counters);
    writer = new LogWriter(store, cfg.fsync(), counters);
    replica = new Replica(cfg, store, writer, counters);
    control = new KubernetesControl(cfg, client);
    lease = new LeaseKeeper(control, replica, 500);
    control.start(replica);

    await().atMost(Duration.ofSeconds(10)).until(() -> replica.role() == Role.Primary);
    assertThat(replica.epoch()).isEqualTo(7);
    assertThat(replica.mode()).isEqualTo(Mode.ASYNCHRONOUS);
    await().atMost(Duration.ofSeconds(10)).until(() -> "127.0.0.9:7480".equals(replica.peerEndpoint()));
    await().atMost(Duration.ofSeconds(10)).until(replica::serving); // the lease was renewed at epoch 7
    assertThat(client.leases().inNamespace(NS).withName("web-primary").get().getSpec().getRenewTime()).isNotNull();

    control.publish(new MemberReport(replica.reportedRole(), replica.epoch(), replica.durableSeq(), 0L, null, false, 5L, null,
        cfg.advertisedEndpoint(), System.currentTimeMillis()));
    String json = client.pods().inNamespace(NS).withName("web-a").get().getMetadata().getAnnotations().get(ContractKeys.REPORT_ANNOTATION);
    assertThat(MemberReport.fromJson(json).replicationEndpoint()).isEqualTo("127.0.0.8:7480");
    assertThat(MemberReport.fromJson(json).role()).isEqualTo(Role.Primary);

    // The operator moves the lease to a new primary at epoch 8: renewals fail and this member stops serving.
    var l = client.leases().inNamespace(NS).withName("web-primary").get();
    l.getSpec().setHolderIdentity("web-b");
    l.getMetadata().getAnnotations().put(ContractKeys.LEASE_EPOCH_ANNOTATION, "8");
    client.leases().inNamespace(NS).resource(l).update();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      replica.checkServing("tick");
      return !replica.serving();
    });
  }
}
