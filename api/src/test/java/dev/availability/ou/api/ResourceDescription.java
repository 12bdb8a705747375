package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;

/**
 * The generator describes fields but leaves the resource's own schema without a description (the first line of
 * {@code kubectl explain operationalunit}): take it from the class's {@link JsonClassDescription}.
 */
final class ResourceDescription implements CRDPostProcessor {
  private final Class<?> resource;

  ResourceDescription(Class<?> resource) {
    this.resource = resource;
  }

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    JsonClassDescription description = resource.getAnnotation(JsonClassDescription.class);
    if (description == null || !(crd instanceof CustomResourceDefinition c)) return crd;
    c.getSpec()
        .getVersions()
        .forEach(v -> v.getSchema().getOpenAPIV3Schema().setDescription(description.value()));
    return crd;
  }
}
