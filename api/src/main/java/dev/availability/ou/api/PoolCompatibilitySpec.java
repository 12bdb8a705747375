package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How alike the members' pod templates must be to share one pod (which runs one application). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolCompatibilitySpec {
  @Default("MayDiffer")
  @JsonPropertyDescription(
      "MayDiffer (default): members may give their containers' env variables different values (the same names;"
          + " the application learns at takeover which unit it serves, through the client library). MustMatch:"
          + " env values must be equal too, for applications that read their unit's identity from env.")
  private EnvValues envValues = EnvValues.MayDiffer;

  public EnvValues getEnvValues() {
    return envValues;
  }

  public void setEnvValues(EnvValues envValues) {
    this.envValues = envValues;
  }

  public boolean envValuesMayDiffer() {
    return envValues != EnvValues.MustMatch;
  }

  public enum EnvValues {
    MayDiffer,
    MustMatch
  }
}
