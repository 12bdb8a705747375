package dev.availability.ou.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl explain operationalunit --recursive} is the reference users reach first: every field of the CRD
 * generated from the model (CrdDriftTest holds the committed one equal to it) says what it is for.
 */
class CrdDescriptionsTest {

  @Test
  void everyFieldOfTheCrdHasADescription() throws IOException {
    JSONSchemaProps root = schema();
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
    var columns = crd().getSpec().getVersions().get(0).getAdditionalPrinterColumns();
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

  private static JSONSchemaProps schema() throws IOException {
    return crd().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  private static CustomResourceDefinition crd() throws IOException {
    return Serialization.unmarshal(CrdDriftTest.generate(), CustomResourceDefinition.class);
  }
}
