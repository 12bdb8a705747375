package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A member pod of the unit and the node it runs on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberRef {
  private String pod;
  private String node;

  public MemberRef() {}

  public MemberRef(String pod, String node) {
    this.pod = pod;
    this.node = node;
  }

  public String getPod() { return pod; }
  public void setPod(String pod) { this.pod = pod; }
  public String getNode() { return node; }
  public void setNode(String node) { this.node = node; }
}
