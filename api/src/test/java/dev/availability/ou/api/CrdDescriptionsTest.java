package dev.availability.ou.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kubectl explain operationalunit --recursive} (and {@code standbypool}) is the reference users reach first:
 * every field of each CRD generated from the model (CrdDriftTest holds the committed ones equal to it) says what it
 * is for.
 */
class CrdDescriptionsTest {

  static java.util.List<Class<? extends CustomResource<?, ?>>> resources() {
    return CrdDriftTest.RESOURCES;
  }

  @ParameterizedTest
  @MethodSource("resources")
  void everyFieldOfTheCrdHasADescription(Class<? extends CustomResource<?, ?>> resource)
      throws IOException {
    JSONSchemaProps root = schema(resource);
    List<String> missing = new ArrayList<>();
    if (blank(root.getDescription())) missing.add("(the resource itself)");
    walk("", root, missing);
    assertThat(missing)
        .as(
            "fields of the CRD without a description: add @JsonPropertyDescription to them in api/, then "
                + "regenerate with build/mvn -pl api test -Dou.crd.update=true")
        .isEmpty();
  }

  @Test
  void wideOutputAddsEpochAndModeAfterTheDefaultColumns() throws IOException {
    var columns =
        crd(OperationalUnit.class).getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    assertThat(columns)
        .filteredOn(c -> c.getPriority() == null || c.getPriority() == 0)
        .extracting(c -> c.getName())
        .contains("PRIMARY", "STANDBY", "PHASE", "LAG", "FAILOVERS", "AGE")
        .doesNotContain("EPOCH", "MODE");
    assertThat(columns)
        .filteredOn(c -> c.getPriority() != null && c.getPriority() == 1)
        .extracting(c -> c.getName() + " " + c.getJsonPath())
        .containsExactly("EPOCH .status.epoch", "MODE .spec.replication.mode");
  }

  @Test
  void poolColumnsShowMembersInSyncCapacityAndReadiness() throws IOException {
    var crd = crd(StandbyPool.class);
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("oupool");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
        .filteredOn(c -> c.getPriority() == null || c.getPriority() == 0)
        .extracting(c -> c.getName() + " " + c.getJsonPath())
        .containsExactly(
            "UNITS .status.units",
            "IN-SYNC .status.inSync",
            "CAPACITY .spec.maxUnits",
            "READY .status.conditions[?(@.type==\"Ready\")].status",
            "AGE .metadata.creationTimestamp");
  }

  @Test
  void aUnitNamesItsPoolByADnsLabelShortEnoughForTheSharedPodsName() throws IOException {
    JSONSchemaProps pool = schema(OperationalUnit.class)
        .getProperties()
        .get("spec")
        .getProperties()
        .get("standby")
        .getProperties()
        .get("pool");
    assertThat(pool.getMaxLength()).isEqualTo(53L);
    assertThat(pool.getPattern()).isEqualTo("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    // a label value (63) holds the shared pod's name, <pool>-standby-<n>, for the first ten
    // ordinals
    assertThat(("x".repeat(53) + "-standby-9").length()).isEqualTo(63);
  }

  /** Properties, array items and map values, depth first; an object that keeps unknown fields ends the walk there. */
  private static void walk(String path, JSONSchemaProps schema, List<String> missing) {
    for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
      String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      if (blank(e.getValue().getDescription())) missing.add(field);
      walk(field, e.getValue(), missing);
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null)
      walk(path + "[]", schema.getItems().getSchema(), missing);
    if (schema.getAdditionalProperties() != null
        && schema.getAdditionalProperties().getSchema() != null) {
      walk(path + "{}", schema.getAdditionalProperties().getSchema(), missing);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static JSONSchemaProps schema(Class<? extends CustomResource<?, ?>> resource)
      throws IOException {
    return crd(resource).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  private static CustomResourceDefinition crd(Class<? extends CustomResource<?, ?>> resource)
      throws IOException {
    return Serialization.unmarshal(CrdDriftTest.generate(resource), CustomResourceDefinition.class);
  }
}
