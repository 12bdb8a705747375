package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

/** The shared pod must not fall with a primary it protects: it avoids all their domains. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolPlacementSpec {
  public static final String HOSTNAME = "kubernetes.io/hostname";
  public static final String ZONE = "topology.kubernetes.io/zone";

  @Default(HOSTNAME)
  @Size(min = 1, max = 316)
  @JsonPropertyDescription(
      "Node label whose value the shared pod must not share with any primary it protects (required"
          + " anti-affinity; default kubernetes.io/hostname: never on a primary's node). The members' primaries in"
          + " turn avoid the shared pod's domain.")
  private String topologyKey = HOSTNAME;

  @Default(ZONE)
  @Size(min = 0, max = 316)
  @JsonPropertyDescription(
      "Node label whose value the shared pod preferably does not share with any primary it protects (preferred"
          + " anti-affinity; default topology.kubernetes.io/zone). The empty string: no preference.")
  private String preferredTopologyKey = ZONE;

  public String getTopologyKey() {
    return topologyKey;
  }

  public void setTopologyKey(String topologyKey) {
    this.topologyKey = topologyKey;
  }

  public String getPreferredTopologyKey() {
    return preferredTopologyKey;
  }

  public void setPreferredTopologyKey(String preferredTopologyKey) {
    this.preferredTopologyKey = preferredTopologyKey;
  }
}
