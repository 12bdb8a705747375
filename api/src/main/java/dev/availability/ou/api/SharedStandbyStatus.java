package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The pool's shared standby pod and its node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SharedStandbyStatus {
  @JsonPropertyDescription("The shared standby pod's name (<pool>-standby-<n>).")
  private String pod;

  @JsonPropertyDescription("The node the shared standby pod runs on.")
  private String node;

  public SharedStandbyStatus() {}

  public SharedStandbyStatus(String pod, String node) {
    this.pod = pod;
    this.node = node;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }
}
