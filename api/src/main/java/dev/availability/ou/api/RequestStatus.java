package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The operator's answer to the last request of one kind (an annotation of {@link UnitAnnotations}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RequestStatus {
  public enum Kind {
    Switchover,
    Fence,
    Pause,
    Drill,
    ResumeFailovers,
    ReleaseStimulus,
    DropStimulus
  }

  public enum State {
    InProgress,
    Done,
    Refused
  }

  @JsonPropertyDescription(
      "Which request: Switchover, Fence, Pause, Drill, ResumeFailovers, ReleaseStimulus or DropStimulus.")
  private Kind kind;

  @JsonPropertyDescription(
      "The annotation value this answer is for (the request is acted on once per value).")
  private String value;

  @JsonPropertyDescription("InProgress, Done, or Refused (the message says why and what to do).")
  private State state;

  @JsonPropertyDescription("What was done, or why it was refused.")
  private String message;

  @JsonPropertyDescription("When the state last changed (RFC 3339).")
  private String updatedAt;

  public Kind getKind() {
    return kind;
  }

  public void setKind(Kind kind) {
    this.kind = kind;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }

  public State getState() {
    return state;
  }

  public void setState(State state) {
    this.state = state;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getUpdatedAt() {
    return updatedAt;
  }

  public void setUpdatedAt(String updatedAt) {
    this.updatedAt = updatedAt;
  }
}
