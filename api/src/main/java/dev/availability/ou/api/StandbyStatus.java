package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbyStatus extends MemberRef {
  @JsonPropertyDescription("Whether the standby holds every update the primary acknowledged.")
  private Boolean inSync;

  @JsonPropertyDescription("Updates the standby trails the primary by, as the sidecars report it.")
  private Long lag;

  public StandbyStatus() {}

  public StandbyStatus(String pod, String node, Boolean inSync, Long lag) {
    super(pod, node);
    this.inSync = inSync;
    this.lag = lag;
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
