package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class OperationalUnitStatus {
  @JsonPropertyDescription(
      "Pending, Synchronizing, Protected (the standby is in sync: a failure of either member is survived), "
          + "Unprotected, FailingOver or Degraded (nobody can take over automatically; see the Degraded condition).")
  private UnitPhase phase;

  @JsonPropertyDescription("The member that serves, and its node.")
  private MemberRef primary;

  @JsonPropertyDescription(
      "The member that holds the primary's state, its node, whether it is in sync and how far it trails.")
  private StandbyStatus standby;

  @JsonPropertyDescription(
      "The promotion generation: raised at every failover; sidecars refuse anything from an older one.")
  private Long epoch;

  @JsonPropertyDescription(
      "Standbys promoted because the primary failed (drills and switchovers are not counted).")
  private Integer failovers;

  @JsonPropertyDescription(
      "Planned switchovers: on a spec change, failback, or a user's request (annotation ou.availability.dev/switchover-to).")
  private Integer switchovers;

  @JsonPropertyDescription("The newest entry of history: the last failover, switchover or drill.")
  private FailoverRecord lastFailover;

  @JsonPropertyDescription("The last failovers, switchovers and drills, newest first (at most 10).")
  private List<FailoverRecord> history = new ArrayList<>();

  @JsonPropertyDescription(
      "The operator's answer to the last request of each kind (annotations ou.availability.dev/...).")
  private List<RequestStatus> requests = new ArrayList<>();

  @JsonPropertyDescription(
      "A failover under way: written before any action, so it resumes after an operator restart.")
  private FailoverProgress failover;

  @JsonPropertyDescription(
      "Ordinal of the next member pod the operator creates (<unit>-<ordinal>).")
  private Long nextMemberOrdinal;

  @JsonPropertyDescription(
      "The node the primary was first placed on; failback returns service there.")
  private String homeNode;

  @JsonPropertyDescription(
      "Restart count of the primary's application container when it became primary; a higher count is a crash.")
  private Integer primaryRestartBaseline;

  @JsonPropertyDescription(
      "Stimuli both copies of the application failed on (Journal mode), set aside so that no member reprocesses"
          + " them, until a human drops them (kubectl ou drop) or releases them to be reprocessed.")
  private List<QuarantinedStimulusStatus> quarantinedStimuli = new ArrayList<>();

  @JsonPropertyDescription(
      "One entry per spec.dependsOn: whether that unit is available, since when, and why.")
  private List<DependencyStatus> dependencies = new ArrayList<>();

  @SchemaFrom(type = ConditionSchema[].class)
  @JsonPropertyDescription(
      "Ready, Protected, FailoverInProgress, Degraded, DependenciesAvailable, SidecarMemoryPressure, MalformedValues (see docs/crd-reference.md).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The generation of the spec this status describes.")
  private Long observedGeneration;

  public UnitPhase getPhase() {
    return phase;
  }

  public void setPhase(UnitPhase phase) {
    this.phase = phase;
  }

  public MemberRef getPrimary() {
    return primary;
  }

  public void setPrimary(MemberRef primary) {
    this.primary = primary;
  }

  public StandbyStatus getStandby() {
    return standby;
  }

  public void setStandby(StandbyStatus standby) {
    this.standby = standby;
  }

  public Long getEpoch() {
    return epoch;
  }

  public void setEpoch(Long epoch) {
    this.epoch = epoch;
  }

  public Integer getFailovers() {
    return failovers;
  }

  public void setFailovers(Integer failovers) {
    this.failovers = failovers;
  }

  public Integer getSwitchovers() {
    return switchovers;
  }

  public void setSwitchovers(Integer switchovers) {
    this.switchovers = switchovers;
  }

  public FailoverRecord getLastFailover() {
    return lastFailover;
  }

  public void setLastFailover(FailoverRecord lastFailover) {
    this.lastFailover = lastFailover;
  }

  public List<FailoverRecord> getHistory() {
    return history;
  }

  public void setHistory(List<FailoverRecord> history) {
    this.history = history;
  }

  public List<RequestStatus> getRequests() {
    return requests;
  }

  public void setRequests(List<RequestStatus> requests) {
    this.requests = requests;
  }

  public FailoverProgress getFailover() {
    return failover;
  }

  public void setFailover(FailoverProgress failover) {
    this.failover = failover;
  }

  public Long getNextMemberOrdinal() {
    return nextMemberOrdinal;
  }

  public void setNextMemberOrdinal(Long nextMemberOrdinal) {
    this.nextMemberOrdinal = nextMemberOrdinal;
  }

  public String getHomeNode() {
    return homeNode;
  }

  public void setHomeNode(String homeNode) {
    this.homeNode = homeNode;
  }

  public Integer getPrimaryRestartBaseline() {
    return primaryRestartBaseline;
  }

  public void setPrimaryRestartBaseline(Integer primaryRestartBaseline) {
    this.primaryRestartBaseline = primaryRestartBaseline;
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

  public List<QuarantinedStimulusStatus> getQuarantinedStimuli() {
    return quarantinedStimuli;
  }

  public void setQuarantinedStimuli(List<QuarantinedStimulusStatus> quarantinedStimuli) {
    this.quarantinedStimuli = quarantinedStimuli;
  }

  public List<DependencyStatus> getDependencies() {
    return dependencies;
  }

  public void setDependencies(List<DependencyStatus> dependencies) {
    this.dependencies = dependencies;
  }
}
