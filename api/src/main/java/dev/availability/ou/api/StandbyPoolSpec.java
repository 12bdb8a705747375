package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbyPoolSpec {
  public static final int DEFAULT_MAX_UNITS = 8;
  /** One replication port per unit on the shared pod, and one replica per unit in its sidecar's heap. */
  public static final int MOST_UNITS = 64;

  @Default("8")
  @Min(1)
  @Max(MOST_UNITS)
  @JsonPropertyDescription(
      "How many units the shared standby holds, at most 64 (default 8): the first to join, by creation time then"
          + " name. A unit beyond it keeps a dedicated standby (condition Pooled=False, reason PoolFull): never a"
          + " unit without a standby because its pool is full.")
  private Integer maxUnits = DEFAULT_MAX_UNITS;

  @JsonPropertyDescription("The shared pod's size: its sidecar holds every member's state at once.")
  private PoolResourcesSpec resources = new PoolResourcesSpec();

  @JsonPropertyDescription(
      "Where the shared pod may run relative to the primaries it protects: never in the topology domain of any"
          + " of them, and preferably not in their zone.")
  private PoolPlacementSpec placement = new PoolPlacementSpec();

  @JsonPropertyDescription(
      "Which members' pod templates the shared pod accepts besides an identical one: members must run the same"
          + " application image and the same template apart from labels and annotations (and, unless said"
          + " otherwise here, env values). A unit that does not fit is refused with InvalidSpec naming the first"
          + " differing field.")
  private PoolCompatibilitySpec compatibility = new PoolCompatibilitySpec();

  public int maxUnits() {
    return maxUnits == null ? DEFAULT_MAX_UNITS : maxUnits;
  }

  public Integer getMaxUnits() {
    return maxUnits;
  }

  public void setMaxUnits(Integer maxUnits) {
    this.maxUnits = maxUnits;
  }

  public PoolResourcesSpec getResources() {
    return resources;
  }

  public void setResources(PoolResourcesSpec resources) {
    this.resources = resources;
  }

  public PoolPlacementSpec getPlacement() {
    return placement;
  }

  public void setPlacement(PoolPlacementSpec placement) {
    this.placement = placement;
  }

  public PoolCompatibilitySpec getCompatibility() {
    return compatibility;
  }

  public void setCompatibility(PoolCompatibilitySpec compatibility) {
    this.compatibility = compatibility;
  }
}
