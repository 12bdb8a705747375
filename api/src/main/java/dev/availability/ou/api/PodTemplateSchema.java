package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The schema published for {@code spec.template}: the fields the operator relies on are checked by the
 * API server, the rest of the pod template is kept as written and validated when the pods are created.
 * The full PodTemplateSpec schema would make the CRD too large for {@code kubectl apply}.
 */
final class PodTemplateSchema {
  @JsonPropertyDescription(
      "Labels and annotations for both member pods; the operator adds its own (ou.availability.dev/...).")
  public Metadata metadata;

  @Required
  @JsonPropertyDescription(
      "A pod spec (core/v1 PodSpec). The operator adds the sidecar container, the anti-affinity and the member's ServiceAccount.")
  public Spec spec;

  static final class Metadata {
    @JsonPropertyDescription("Labels of the member pods.")
    public Map<String, String> labels;

    @JsonPropertyDescription("Annotations of the member pods.")
    public Map<String, String> annotations;
  }

  @PreserveUnknownFields
  static final class Spec {
    @Required
    @Size(min = 1, max = 32)
    @JsonPropertyDescription(
        "The application's containers; at least one. The first is the application the sidecar watches.")
    @ValidationRule(
        value = "self.all(c, self.exists_one(d, d.name == c.name))",
        message = "container names must be unique within spec.template.spec.containers")
    @ValidationRule(
        value = "self.all(c, c.name != 'ou-sidecar')",
        message =
            "the container name 'ou-sidecar' is reserved for the operator's sidecar: rename your container")
    public List<Container> containers;
  }

  @PreserveUnknownFields
  static final class Container {
    @Required
    @io.fabric8.generator.annotation.Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    @JsonPropertyDescription("The container's name, unique in the pod; ou-sidecar is reserved.")
    public String name;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription(
        "The container image. The other fields of a core/v1 Container are kept as written.")
    public String image;
  }
}
