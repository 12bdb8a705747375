package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandbyPoolStatus {
  @JsonPropertyDescription(
      "The units the shared standby holds (at most spec.maxUnits, in the order they joined), each with whether its"
          + " replica is in sync and how far it trails.")
  private List<PoolMemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription("How many units the shared standby holds (the length of members).")
  private Integer units;

  @JsonPropertyDescription("How many of the members the shared standby holds in sync (promotable).")
  private Integer inSync;

  @JsonPropertyDescription(
      "How many units the shared standby may hold (spec.maxUnits as last observed).")
  private Integer capacity;

  @JsonPropertyDescription(
      "Units of the namespace that name the pool but that it does not hold: beyond capacity (each keeps a dedicated"
          + " standby) or refused (a pod template the shared pod cannot run).")
  private List<String> notHeld = new ArrayList<>();

  @JsonPropertyDescription("The shared standby pod and its node.")
  private SharedStandbyStatus standby;

  @SchemaFrom(type = PoolConditionSchema[].class)
  @JsonPropertyDescription(
      "Ready (the shared standby holds every member in sync) and Full (units beyond spec.maxUnits); see"
          + " docs/crd-reference.md.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The generation of the spec this status describes.")
  private Long observedGeneration;

  public List<PoolMemberStatus> getMembers() {
    return members;
  }

  public void setMembers(List<PoolMemberStatus> members) {
    this.members = members;
  }

  public Integer getUnits() {
    return units;
  }

  public void setUnits(Integer units) {
    this.units = units;
  }

  public Integer getInSync() {
    return inSync;
  }

  public void setInSync(Integer inSync) {
    this.inSync = inSync;
  }

  public Integer getCapacity() {
    return capacity;
  }

  public void setCapacity(Integer capacity) {
    this.capacity = capacity;
  }

  public List<String> getNotHeld() {
    return notHeld;
  }

  public void setNotHeld(List<String> notHeld) {
    this.notHeld = notHeld;
  }

  public SharedStandbyStatus getStandby() {
    return standby;
  }

  public void setStandby(SharedStandbyStatus standby) {
    this.standby = standby;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }
}
