package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The schema published for {@code status.conditions[]}: a metav1.Condition, described for {@code kubectl explain}. */
final class ConditionSchema {
  @JsonPropertyDescription(
      "The condition's type: Ready, Protected, FailoverInProgress, Degraded, DependenciesAvailable, SidecarMemoryPressure or MalformedValues.")
  public String type;

  @JsonPropertyDescription("True, False or Unknown.")
  public String status;

  @JsonPropertyDescription(
      "Why, in one CamelCase word (for example StandbyInSync, NoInSyncStandby).")
  public String reason;

  @JsonPropertyDescription("Why, in words, and what to do when it needs doing.")
  public String message;

  @JsonPropertyDescription("The generation of the spec the condition was set for.")
  public Long observedGeneration;

  @JsonPropertyDescription("When status last changed (RFC 3339).")
  public String lastTransitionTime;
}
