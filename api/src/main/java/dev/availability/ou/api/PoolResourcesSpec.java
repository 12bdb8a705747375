package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** The shared pod's size, which no one member's spec decides. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolResourcesSpec {
  @Pattern("^[0-9]{1,9}(Ki|Mi|Gi)?$")
  @JsonPropertyDescription(
      "Memory of the shared pod's sidecar (request and limit), for example 1Gi: it holds one replica of every"
          + " member's state, so size it for the sum of their spec.replication.stateMemory. Absent: the operator"
          + " sums the members' own sidecar sizes.")
  private String memory;

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory;
  }
}
