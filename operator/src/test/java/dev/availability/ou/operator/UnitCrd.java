package dev.availability.ou.operator;

import dev.availability.ou.testsupport.Crds;
import dev.availability.ou.testsupport.RepoRoot;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The CRDs of crds/ (OperationalUnit, StandbyPool), applied and established: what the API-server tier's tests need first. */
final class UnitCrd {
  private UnitCrd() {}

  static void install(KubernetesClient client) {
    Crds.install(client, RepoRoot.require(), "ou-test");
  }
}
