package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the operator last concluded about one unit this unit depends on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DependencyStatus {
  @JsonPropertyDescription("The dependency's name (an entry of spec.dependsOn).")
  private String name;

  @JsonPropertyDescription(
      "False when the dependency has had no serving primary for longer than its unavailableAfter, or does not exist.")
  private Boolean available;

  @JsonPropertyDescription(
      "When the dependency was last seen becoming available or unavailable (RFC 3339): for an outage, when its"
          + " primary stopped serving, not when the outage was declared.")
  private String since;

  @JsonPropertyDescription(
      "Why: Serving, Recovering (no primary yet, within unavailableAfter), NoServingPrimary, or NotFound.")
  private String reason;

  public DependencyStatus() {}

  public DependencyStatus(String name, Boolean available, String since, String reason) {
    this.name = name;
    this.available = available;
    this.since = since;
    this.reason = reason;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Boolean getAvailable() {
    return available;
  }

  public void setAvailable(Boolean available) {
    this.available = available;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
