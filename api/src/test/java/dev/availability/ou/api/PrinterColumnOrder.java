package dev.availability.ou.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** The generator sorts printer columns by JSON path; kubectl shows them in the order the model declares. */
final class PrinterColumnOrder {
  static String asDeclared(String crdYaml, Class<?> resource) {
    List<String> order = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class)).map(AdditionalPrinterColumn::name).toList();
    CustomResourceDefinition crd = Serialization.unmarshal(crdYaml, CustomResourceDefinition.class);
    crd.getSpec().getVersions().forEach(v -> v.getAdditionalPrinterColumns()
        .sort(Comparator.comparingInt((CustomResourceColumnDefinition c) -> order.indexOf(c.getName()))));
    String header = crdYaml.lines().takeWhile(l -> l.startsWith("#")).map(l -> l + "\n").reduce("", String::concat);
    return header + Serialization.asYaml(crd).replaceFirst("^---\n", "");
  }
}
