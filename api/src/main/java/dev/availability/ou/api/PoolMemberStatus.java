package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One unit the shared standby holds, as its replica reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PoolMemberStatus {
  @JsonPropertyDescription("The OperationalUnit's name (same namespace).")
  private String unit;

  @JsonPropertyDescription(
      "Whether the shared standby's replica of the unit holds every update its primary acknowledged.")
  private Boolean inSync;

  @JsonPropertyDescription(
      "Updates the replica trails the unit's primary by, as the sidecars report it.")
  private Long lag;

  public PoolMemberStatus() {}

  public PoolMemberStatus(String unit, Boolean inSync, Long lag) {
    this.unit = unit;
    this.inSync = inSync;
    this.lag = lag;
  }

  public String getUnit() {
    return unit;
  }

  public void setUnit(String unit) {
    this.unit = unit;
  }

  public Boolean getInSync() {
    return inSync;
  }

  public void setInSync(Boolean inSync) {
    this.inSync = inSync;
  }

  public Long getLag() {
    return lag;
  }

  public void setLag(Long lag) {
    this.lag = lag;
  }
}
