package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.replication) || !has(self.replication.maxPromotableLag) || self.replication.mode == 'Asynchronous'",
    message =
        "spec.replication.maxPromotableLag applies to mode Asynchronous only: remove it or set spec.replication.mode: Asynchronous",
    fieldPath = ".replication.maxPromotableLag",
    reason = "FieldValueForbidden")
@ValidationRule(
    value =
        "!has(self.dependsOn) || self.dependsOn.all(d, self.dependsOn.exists_one(e, e.name == d.name))",
    message = "spec.dependsOn names a unit twice: list each dependency once",
    fieldPath = ".dependsOn",
    reason = "FieldValueDuplicate")
public class OperationalUnitSpec {

  @Required
  @SchemaFrom(type = PodTemplateSchema.class)
  @JsonPropertyDescription(
      "The application pod. The operator makes a primary and a standby from it and adds the state-streaming sidecar.")
  private PodTemplateSpec template;

  @Required
  @JsonPropertyDescription(
      "The unit's client Service, named after the unit; its selector always names the current primary pod.")
  private ServiceSpec service;

  @JsonPropertyDescription("How state streams from the primary to the standby.")
  private ReplicationSpec replication = new ReplicationSpec();

  @JsonPropertyDescription("When and how the availability manager moves service to the standby.")
  private FailoverSpec failover = new FailoverSpec();

  @JsonPropertyDescription("Where the primary and the standby may run relative to each other.")
  private PlacementSpec placement = new PlacementSpec();

  @JsonPropertyDescription(
      "Other units in this namespace this unit needs. When one has had no serving primary for longer than its"
          + " unavailableAfter, condition DependenciesAvailable turns False naming it and the members are told (the"
          + " application may then degrade: see docs/dependencies.md). Cycles are refused.")
  @Size(max = 16)
  private List<DependencySpec> dependsOn = new ArrayList<>();

  public List<DependencySpec> getDependsOn() {
    return dependsOn;
  }

  public void setDependsOn(List<DependencySpec> dependsOn) {
    this.dependsOn = dependsOn;
  }

  @JsonPropertyDescription(
      "Where the unit's standby comes from. Absent: a standby pod of the unit's own. With pool: a StandbyPool's"
          + " shared standby (docs/pools.md).")
  private StandbySpec standby;

  public PodTemplateSpec getTemplate() {
    return template;
  }

  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }

  public ServiceSpec getService() {
    return service;
  }

  public void setService(ServiceSpec service) {
    this.service = service;
  }

  public ReplicationSpec getReplication() {
    return replication;
  }

  public void setReplication(ReplicationSpec replication) {
    this.replication = replication;
  }

  public FailoverSpec getFailover() {
    return failover;
  }

  public void setFailover(FailoverSpec failover) {
    this.failover = failover;
  }

  public PlacementSpec getPlacement() {
    return placement;
  }

  public void setPlacement(PlacementSpec placement) {
    this.placement = placement;
  }

  public StandbySpec getStandby() {
    return standby;
  }

  public void setStandby(StandbySpec standby) {
    this.standby = standby;
  }
}
