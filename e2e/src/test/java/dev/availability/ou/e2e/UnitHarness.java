package dev.availability.ou.e2e;

import static org.awaitility.Awaitility.await;

import dev.availability.ou.api.UnitPhase;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.testsupport.LocalClusterHandle;
import dev.availability.ou.testsupport.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** What every end-to-end test class needs: the CRD, the operator as a process, sidecar doubles, units. */
final class UnitHarness implements AutoCloseable {
  // T_max, the API default; T_recovery 5 s: a 2 s primary lease renewed every 667 ms and a 1 s
  // readiness grace, which a loaded 2-core machine running the whole control plane, the operator
  // and the test sustains.
  static final String BUDGET = "10s";

  final KubernetesClient client;
  final String namespace;
  final Path repoRoot;
  final Path kubeconfig;
  final Units units;
  final SidecarDoubles doubles;
  final String leaseName;
  OperatorProcess operator;

  UnitHarness(KubernetesClient client, TestNamespace ns, LocalClusterHandle cluster) {
    this.client = client;
    this.namespace = ns.name();
    this.repoRoot = cluster.repoRoot();
    this.kubeconfig = cluster.kubeconfig();
    this.leaseName = "ou-e2e-" + ns.name();
    Units.installCrd(client, repoRoot);
    this.units = new Units(client, namespace);
    this.doubles = new SidecarDoubles(client, namespace);
    this.operator = startOperator("operator");
  }

  OperatorProcess startOperator(String name) {
    return OperatorProcess.start(repoRoot, kubeconfig, name + "-" + namespace, leaseName, Map.of());
  }

  /** Creates the sample unit and waits until it is Protected with both sidecar doubles live and the lease renewed. */
  void createProtected(String name) {
    units.create(Units.sample(repoRoot, name, BUDGET));
    awaitProtected(name);
  }

  void awaitProtected(String name) {
    await("unit " + name + " Protected")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> units.phase(name) == UnitPhase.Protected
            && units.standby(name) != null
            && doubles.has(units.primary(name))
            && doubles.has(units.standby(name))
            && leaseRenewedBy(name, units.primary(name)));
  }

  boolean leaseRenewedBy(String unit, String pod) {
    var lease = client
        .leases()
        .inNamespace(namespace)
        .withName(ContractKeys.primaryLeaseName(unit))
        .get();
    return lease != null
        && pod != null
        && pod.equals(lease.getSpec().getHolderIdentity())
        && lease.getSpec().getRenewTime() != null;
  }

  @Override
  public void close() {
    if (operator != null) operator.close();
    doubles.close();
  }
}
