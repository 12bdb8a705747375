package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The intent of a failover under way, written before anything is touched, so an operator that restarts
 * (or a new leader) resumes it instead of deciding anew.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverProgress {
  @JsonPropertyDescription("The member being promoted.")
  private String targetPrimary;

  @JsonPropertyDescription("The member being deposed.")
  private String formerPrimary;

  @JsonPropertyDescription("The node the former primary ran on.")
  private String formerPrimaryNode;

  @JsonPropertyDescription(
      "The epoch the target serves at; the former primary's epochs are refused from then on.")
  private Long epoch;

  @JsonPropertyDescription(
      "The deciding signal (AppCrashed, LeaseExpired, ...), or SpecChanged, Failback, a request for a planned one.")
  private String reason;

  @JsonPropertyDescription("What was seen, in words.")
  private String message;

  @JsonPropertyDescription("When the first signal of the fault was seen (RFC 3339).")
  private String faultObservedAt;

  @JsonPropertyDescription("When the operator decided to promote (RFC 3339).")
  private String decidedAt;

  @JsonPropertyDescription(
      "When the Service selector was switched to the target (RFC 3339); absent until then.")
  private String serviceSwitchedAt;

  @JsonPropertyDescription(
      "Updates the target trailed by when it was chosen: what an Asynchronous failover loses.")
  private Long lagAtDecision;

  @JsonPropertyDescription(
      "When the target was first seen asked to take the promotion; it must confirm within a lease duration.")
  private String promotionAskedAt;

  @JsonPropertyDescription(
      "The new standby made at the decision to follow the target once promoted; absent when none was made then.")
  private String successor;

  @JsonPropertyDescription("Planned switchover (no fault) rather than failover.")
  private Boolean planned;

  @JsonPropertyDescription(
      "Failover (a fault), Switchover (planned) or Drill (asked for, taken the way a fault is).")
  private FailoverRecord.Kind kind;

  public String getTargetPrimary() {
    return targetPrimary;
  }

  public void setTargetPrimary(String targetPrimary) {
    this.targetPrimary = targetPrimary;
  }

  public String getFormerPrimary() {
    return formerPrimary;
  }

  public void setFormerPrimary(String formerPrimary) {
    this.formerPrimary = formerPrimary;
  }

  public String getFormerPrimaryNode() {
    return formerPrimaryNode;
  }

  public void setFormerPrimaryNode(String formerPrimaryNode) {
    this.formerPrimaryNode = formerPrimaryNode;
  }

  public Long getEpoch() {
    return epoch;
  }

  public void setEpoch(Long epoch) {
    this.epoch = epoch;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getFaultObservedAt() {
    return faultObservedAt;
  }

  public void setFaultObservedAt(String faultObservedAt) {
    this.faultObservedAt = faultObservedAt;
  }

  public String getDecidedAt() {
    return decidedAt;
  }

  public void setDecidedAt(String decidedAt) {
    this.decidedAt = decidedAt;
  }

  public String getServiceSwitchedAt() {
    return serviceSwitchedAt;
  }

  public void setServiceSwitchedAt(String serviceSwitchedAt) {
    this.serviceSwitchedAt = serviceSwitchedAt;
  }

  public Long getLagAtDecision() {
    return lagAtDecision;
  }

  public void setLagAtDecision(Long lagAtDecision) {
    this.lagAtDecision = lagAtDecision;
  }

  public String getPromotionAskedAt() {
    return promotionAskedAt;
  }

  public void setPromotionAskedAt(String promotionAskedAt) {
    this.promotionAskedAt = promotionAskedAt;
  }

  public String getSuccessor() {
    return successor;
  }

  public void setSuccessor(String successor) {
    this.successor = successor;
  }

  public Boolean getPlanned() {
    return planned;
  }

  public void setPlanned(Boolean planned) {
    this.planned = planned;
  }

  public FailoverRecord.Kind getKind() {
    return kind;
  }

  public void setKind(FailoverRecord.Kind kind) {
    this.kind = kind;
  }
}
