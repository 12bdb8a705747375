package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the last failover did and how long each part took. Times are RFC 3339 with milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverRecord {
  public enum Kind {
    Failover,
    Switchover,
    Drill
  }

  @JsonPropertyDescription(
      "Failover (a fault), Switchover (planned, zero loss) or Drill (a failover the user asked for, to measure recovery).")
  private Kind kind;

  @JsonPropertyDescription("The member that served before.")
  private String formerPrimary;

  @JsonPropertyDescription("The member promoted.")
  private String newPrimary;

  @JsonPropertyDescription("The epoch the new primary serves at.")
  private Long epoch;

  @JsonPropertyDescription(
      "The deciding signal (AppCrashed, LeaseExpired, ...); SpecChanged, Failback or the request when planned.")
  private String reason;

  @JsonPropertyDescription("What was seen, in words.")
  private String message;

  @JsonPropertyDescription(
      "When the first signal of the fault was seen (the earliest of the signals that decided it).")
  private String faultObservedAt;

  @JsonPropertyDescription("When the operator decided to promote (RFC 3339).")
  private String decidedAt;

  @JsonPropertyDescription("When the Service selector was switched to the new primary.")
  private String serviceSwitchedAt;

  @JsonPropertyDescription("When the Service's EndpointSlice listed only the new primary.")
  private String endpointsSwitchedAt;

  @JsonPropertyDescription("When a new standby was in sync again (protection restored).")
  private String standbyReadyAt;

  @JsonPropertyDescription(
      "Detection: from the first signal of the fault to the decision, in milliseconds.")
  private Long detectionMillis;

  @JsonPropertyDescription("Promotion: from the decision to the Service switched, in milliseconds.")
  private Long promotionMillis;

  @JsonPropertyDescription(
      "From the fault to the EndpointSlice naming only the new primary (or to the Service write until that is seen), in milliseconds.")
  private Long trafficSwitchedMillis;

  @JsonPropertyDescription(
      "spec.failover's recovery budget (T_recovery) when this happened, in milliseconds.")
  private Long recoveryBudgetMillis;

  @JsonPropertyDescription(
      "Whether detection, promotion and the traffic switch fit spec.failover.recoveryBudget.")
  private Boolean withinRecoveryBudget;

  @JsonPropertyDescription(
      "Updates acknowledged by the former primary that the new primary does not hold (0 in Synchronous mode).")
  private Long updatesLost;

  @JsonPropertyDescription("A planned switchover (spec change, failback) rather than a failure.")
  private Boolean planned;

  public Kind getKind() {
    return kind;
  }

  public void setKind(Kind kind) {
    this.kind = kind;
  }

  public String getFormerPrimary() {
    return formerPrimary;
  }

  public void setFormerPrimary(String formerPrimary) {
    this.formerPrimary = formerPrimary;
  }

  public String getNewPrimary() {
    return newPrimary;
  }

  public void setNewPrimary(String newPrimary) {
    this.newPrimary = newPrimary;
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

  public String getEndpointsSwitchedAt() {
    return endpointsSwitchedAt;
  }

  public void setEndpointsSwitchedAt(String endpointsSwitchedAt) {
    this.endpointsSwitchedAt = endpointsSwitchedAt;
  }

  public String getStandbyReadyAt() {
    return standbyReadyAt;
  }

  public void setStandbyReadyAt(String standbyReadyAt) {
    this.standbyReadyAt = standbyReadyAt;
  }

  public Long getDetectionMillis() {
    return detectionMillis;
  }

  public void setDetectionMillis(Long detectionMillis) {
    this.detectionMillis = detectionMillis;
  }

  public Long getPromotionMillis() {
    return promotionMillis;
  }

  public void setPromotionMillis(Long promotionMillis) {
    this.promotionMillis = promotionMillis;
  }

  public Long getTrafficSwitchedMillis() {
    return trafficSwitchedMillis;
  }

  public void setTrafficSwitchedMillis(Long trafficSwitchedMillis) {
    this.trafficSwitchedMillis = trafficSwitchedMillis;
  }

  public Long getRecoveryBudgetMillis() {
    return recoveryBudgetMillis;
  }

  public void setRecoveryBudgetMillis(Long recoveryBudgetMillis) {
    this.recoveryBudgetMillis = recoveryBudgetMillis;
  }

  public Boolean getWithinRecoveryBudget() {
    return withinRecoveryBudget;
  }

  public void setWithinRecoveryBudget(Boolean withinRecoveryBudget) {
    this.withinRecoveryBudget = withinRecoveryBudget;
  }

  public Boolean getPlanned() {
    return planned;
  }

  public void setPlanned(Boolean planned) {
    this.planned = planned;
  }

  public Long getUpdatesLost() {
    return updatesLost;
  }

  public void setUpdatesLost(Long updatesLost) {
    this.updatesLost = updatesLost;
  }

  /** One line for logs and assertion messages: what moved, why, and at which epoch. */
  @Override
  public String toString() {
    return kind + " " + reason + " epoch " + epoch + ": " + formerPrimary + " -> " + newPrimary
        + (updatesLost != null ? ", lost " + updatesLost : "");
  }
}
