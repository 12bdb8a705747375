package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlacementSpec {
  @Default("kubernetes.io/hostname")
  @Size(min = 1, max = 316)
  @JsonPropertyDescription(
      "Node label whose values the primary and the standby must not share, for example topology.kubernetes.io/zone.")
  private String topologyKey = "kubernetes.io/hostname";

  @Default("Required")
  @JsonPropertyDescription(
      "Required: the standby stays Pending rather than share a topology domain with the primary. Preferred: the scheduler may place both together when it must.")
  private AntiAffinity antiAffinity = AntiAffinity.Required;

  public String getTopologyKey() {
    return topologyKey;
  }

  public void setTopologyKey(String topologyKey) {
    this.topologyKey = topologyKey;
  }

  public AntiAffinity getAntiAffinity() {
    return antiAffinity;
  }

  public void setAntiAffinity(AntiAffinity antiAffinity) {
    this.antiAffinity = antiAffinity;
  }

  public enum AntiAffinity {
    Required,
    Preferred
  }
}
