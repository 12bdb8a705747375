package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * Failover-loop protection: after {@code maxFailovers} failovers within {@code window} the unit fails over no more on
 * its own and waits for a human ({@code kubectl ou resume}, or a new value of the {@code resume-failovers}
 * annotation).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoopProtectionSpec {
  @Min(1)
  @Max(10) // the unit's history keeps the last ten promotions: the ones that trip it must be there
  @JsonPropertyDescription(
      "K: this many failovers (faults; not switchovers or drills) within window suspend automatic failover until a human resumes it. Default 3; at most 10.")
  private Integer maxFailovers;

  @Pattern(FailoverSpec.DURATION)
  @JsonPropertyDescription(
      "W: the window the K failovers fall within, for example 5m. Default: sixty recovery budgets (5m at the default responseTimeBudget of 10s).")
  private String window;

  public Integer getMaxFailovers() {
    return maxFailovers;
  }

  public void setMaxFailovers(Integer maxFailovers) {
    this.maxFailovers = maxFailovers;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }
}
