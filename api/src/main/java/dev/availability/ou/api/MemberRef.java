package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A member pod of the unit and the node it runs on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberRef {
  @JsonPropertyDescription("The member pod's name (<unit>-<ordinal>).")
  private String pod;

  @JsonPropertyDescription("The node the member pod runs on.")
  private String node;

  public MemberRef() {}

  public MemberRef(String pod, String node) {
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
