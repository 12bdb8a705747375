package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Another unit in the same namespace that this unit needs; when it is unavailable, this unit's members are told. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DependencySpec {
  static final String UNIT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  @Required
  @Pattern(UNIT_NAME)
  @Size(
      min = 1,
      max = 253) // bounded: the CRD's uniqueness rule over the list must fit the CEL cost budget
  @JsonPropertyDescription("The name of the OperationalUnit depended on, in this unit's namespace.")
  private String name;

  @Pattern(FailoverSpec.DURATION)
  @JsonPropertyDescription(
      "How long the dependency may have no serving primary (in sync or last known) before it counts as unavailable,"
          + " for example 5s. Default: the dependency's own recovery budget (spec.failover.recoveryBudget), so a"
          + " failover it recovers from in time is not reported.")
  private String unavailableAfter;

  public DependencySpec() {}

  public DependencySpec(String name, String unavailableAfter) {
    this.name = name;
    this.unavailableAfter = unavailableAfter;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUnavailableAfter() {
    return unavailableAfter;
  }

  public void setUnavailableAfter(String unavailableAfter) {
    this.unavailableAfter = unavailableAfter;
  }
}
