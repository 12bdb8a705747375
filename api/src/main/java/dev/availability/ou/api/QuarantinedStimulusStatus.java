package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * A stimulus set aside because two copies of the application failed on it in turn (Journal mode): the evidence, and
 * whether the application settled it (told its user it was ignored).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QuarantinedStimulusStatus {
  @JsonPropertyDescription("The stimulus id the application gave OuClient.begin.")
  private String id;

  @JsonPropertyDescription(
      "The primaries that failed with it in flight, in order: the first, then the member promoted in its place that"
          + " failed reprocessing it.")
  private List<String> members = new ArrayList<>();

  @JsonPropertyDescription(
      "When each of those members was seen failing (RFC 3339), in the same order.")
  private List<String> failedAt = new ArrayList<>();

  @JsonPropertyDescription("When the operator quarantined it (RFC 3339).")
  private String quarantinedAt;

  @JsonPropertyDescription(
      "When the primary stopped listing it: its application told the stimulus's user it was ignored and ended it"
          + " (RFC 3339). Absent while not settled.")
  private String settledAt;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public List<String> getMembers() {
    return members;
  }

  public void setMembers(List<String> members) {
    this.members = members;
  }

  public List<String> getFailedAt() {
    return failedAt;
  }

  public void setFailedAt(List<String> failedAt) {
    this.failedAt = failedAt;
  }

  public String getQuarantinedAt() {
    return quarantinedAt;
  }

  public void setQuarantinedAt(String quarantinedAt) {
    this.quarantinedAt = quarantinedAt;
  }

  public String getSettledAt() {
    return settledAt;
  }

  public void setSettledAt(String settledAt) {
    this.settledAt = settledAt;
  }
}
