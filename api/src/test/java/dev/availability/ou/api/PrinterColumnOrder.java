package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The generator sorts printer columns by JSON path; kubectl shows them in the order the model declares. */
final class PrinterColumnOrder {
  /** Plain YAML (quotes only where needed), as people write it and grep it. */
  private static String yaml(Object value) {
    try {
      YAMLMapper mapper = YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .serializationInclusion(JsonInclude.Include.NON_EMPTY)
          .build();
      return mapper.writeValueAsString(mapper.readTree(Serialization.asJson(value)));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String asDeclared(String crdYaml, Class<?> resource) {
    List<String> order = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    CustomResourceDefinition crd = Serialization.unmarshal(crdYaml, CustomResourceDefinition.class);
    crd.getSpec()
        .getVersions()
        .forEach(v -> v.getAdditionalPrinterColumns()
            .sort(Comparator.comparingInt(
                (CustomResourceColumnDefinition c) -> order.indexOf(c.getName()))));
    String header = crdYaml
        .lines()
        .takeWhile(l -> l.startsWith("#"))
        .map(l -> l + "\n")
        .reduce("", String::concat);
    return header + yaml(crd);
  }
}
