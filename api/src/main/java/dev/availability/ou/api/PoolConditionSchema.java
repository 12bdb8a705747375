package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The schema published for a StandbyPool's {@code status.conditions[]}: a metav1.Condition, described. */
final class PoolConditionSchema {
  @JsonPropertyDescription("The condition's type: Ready or Full.")
  public String type;

  @JsonPropertyDescription("True, False or Unknown.")
  public String status;

  @JsonPropertyDescription(
      "Why, in one CamelCase word (for example AllInSync, CatchingUp, PoolFull).")
  public String reason;

  @JsonPropertyDescription("Why, in words, and what to do when it needs doing.")
  public String message;

  @JsonPropertyDescription("The generation of the spec the condition was set for.")
  public Long observedGeneration;

  @JsonPropertyDescription("When status last changed (RFC 3339).")
  public String lastTransitionTime;
}
