package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Where a unit's standby comes from: its own pod (the default) or a {@link StandbyPool}'s shared pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbySpec {
  /** A DNS label short enough that the shared pod's name, {@code <pool>-standby-<n>}, is a label too (63). */
  public static final int MAX_POOL_NAME = 53;

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(min = 1, max = MAX_POOL_NAME)
  @JsonPropertyDescription(
      "The StandbyPool of the unit's namespace whose shared standby pod holds this unit's state, instead of a "
          + "standby of the unit's own (N+1 pods for N units; see docs/pools.md). A DNS label of at most 53 "
          + "characters. Absent: the unit has a dedicated standby. Not acted on yet: the operator gives every "
          + "unit a dedicated standby until pools are built (issue 19).")
  private String pool;

  public StandbySpec() {}

  public StandbySpec(String pool) {
    this.pool = pool;
  }

  public String getPool() {
    return pool;
  }

  public void setPool(String pool) {
    this.pool = pool;
  }
}
