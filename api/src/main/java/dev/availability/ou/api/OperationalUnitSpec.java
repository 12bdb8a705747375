package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.replication) || !has(self.replication.maxPromotableLag) || self.replication.mode == 'Asynchronous'",
    message =
        "spec.replication.maxPromotableLag applies to mode Asynchronous only: remove it or set spec.replication.mode: Asynchronous",
    fieldPath = ".replication.maxPromotableLag",
    reason = "FieldValueForbidden")
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
