package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "duration(self.responseTimeBudget) >= duration('1s')",
    message = "spec.failover.responseTimeBudget must be at least 1s",
    fieldPath = ".responseTimeBudget")
@ValidationRule(
    value = "!has(self.recoveryBudget) || duration(self.recoveryBudget) >= duration('500ms')",
    message = "spec.failover.recoveryBudget must be at least 500ms",
    fieldPath = ".recoveryBudget")
@ValidationRule(
    value =
        "!has(self.recoveryBudget) || duration(self.recoveryBudget) <= duration(self.responseTimeBudget)",
    message =
        "spec.failover.recoveryBudget (T_recovery) must not exceed spec.failover.responseTimeBudget (T_max)",
    fieldPath = ".recoveryBudget")
public class FailoverSpec {
  static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  @Default("true")
  @JsonPropertyDescription(
      "Promote the standby automatically. When false, failures are detected and reported but nobody is promoted.")
  private Boolean automatic = true;

  @Default("10s")
  @Pattern(DURATION)
  @JsonPropertyDescription(
      "T_max, the response time users must always see, for example 10s or 1500ms.")
  private String responseTimeBudget = "10s";

  @Pattern(DURATION)
  @JsonPropertyDescription(
      "T_recovery, the part of T_max a recovery may take (detection, promotion, traffic switched). Default: half of responseTimeBudget. Detection thresholds derive from it.")
  private String recoveryBudget;

  @Default("Never")
  @JsonPropertyDescription(
      "Never: the promoted standby stays primary. Automatic: when the original primary's node is healthy again and a member there is in sync, service moves back.")
  private Failback failback = Failback.Never;

  @JsonPropertyDescription(
      "Failover-loop protection: K failovers within W suspend automatic failover (condition Degraded, reason FailoverLoop) until a human resumes it (kubectl ou resume, or annotation ou.availability.dev/resume-failovers).")
  private LoopProtectionSpec loopProtection;

  public LoopProtectionSpec getLoopProtection() {
    return loopProtection;
  }

  public void setLoopProtection(LoopProtectionSpec loopProtection) {
    this.loopProtection = loopProtection;
  }

  public Boolean getAutomatic() {
    return automatic;
  }

  public void setAutomatic(Boolean automatic) {
    this.automatic = automatic;
  }

  public String getResponseTimeBudget() {
    return responseTimeBudget;
  }

  public void setResponseTimeBudget(String responseTimeBudget) {
    this.responseTimeBudget = responseTimeBudget;
  }

  public String getRecoveryBudget() {
    return recoveryBudget;
  }

  public void setRecoveryBudget(String recoveryBudget) {
    this.recoveryBudget = recoveryBudget;
  }

  public Failback getFailback() {
    return failback;
  }

  public void setFailback(Failback failback) {
    this.failback = failback;
  }

  /** T_recovery as set, or half of T_max. */
  @JsonIgnore
  public Duration effectiveRecoveryBudget() {
    return recoveryBudget != null
        ? Durations.parse(recoveryBudget)
        : Durations.parse(responseTimeBudget).dividedBy(2);
  }

  public enum Failback {
    Never,
    Automatic
  }
}
