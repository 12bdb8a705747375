package dev.availability.ou.operator;

import dev.availability.ou.testsupport.RepoRoot;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** The OperationalUnit CRD of crds/, applied and established: what the API-server tier's tests need first. */
final class UnitCrd {
  private UnitCrd() {}

  static void install(KubernetesClient client) throws Exception {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(
            RepoRoot.require().resolve("crds/operationalunits.ou.availability.dev-v1.yml")),
        CustomResourceDefinition.class);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            d -> d.getStatus() != null
                && d.getStatus().getConditions() != null
                && d.getStatus().getConditions().stream()
                    .anyMatch(
                        x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30,
            TimeUnit.SECONDS);
  }
}
