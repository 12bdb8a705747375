package dev.availability.ou.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A standby pool: one shared standby pod that holds the state of every unit of its namespace naming it
 * ({@code spec.standby.pool}), so that N units need N+1 pods instead of 2N. See docs/pools.md.
 */
@Group(OperationalUnit.GROUP)
@Version(OperationalUnit.VERSION)
@Kind("StandbyPool")
@Plural("standbypools")
@Singular("standbypool")
@ShortNames("oupool")
@AdditionalPrinterColumn(
    name = "UNITS",
    jsonPath = ".status.units",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "IN-SYNC",
    jsonPath = ".status.inSync",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "CAPACITY",
    jsonPath = ".spec.maxUnits",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// -o wide only: the shared pod itself.
@AdditionalPrinterColumn(
    name = "STANDBY",
    jsonPath = ".status.standby.pod",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@JsonClassDescription(
    "A standby pool: one shared standby pod holding the state of every OperationalUnit of this namespace that names"
        + " the pool in spec.standby.pool (N+1 pods for N units instead of 2N). When a member's primary fails, the"
        + " shared standby takes that unit over and keeps the others' streams until a new shared standby has caught"
        + " up with them. Members must share the application image and a compatible pod template. See docs/pools.md;"
        + " the operator does not act on pools yet (issue 19).")
public class StandbyPool extends CustomResource<StandbyPoolSpec, StandbyPoolStatus>
    implements Namespaced {
  public static final String CRD_NAME = "standbypools." + OperationalUnit.GROUP;

  // Overridden only to describe the two fields in the CRD (kubectl explain).
  @Override
  @JsonPropertyDescription(
      "The pool's capacity, the shared pod's size and placement, and which members' templates it accepts.")
  public StandbyPoolSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "The pool's members, which of them the shared standby holds in sync, and its conditions; written by the"
          + " operator only.")
  public StandbyPoolStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected StandbyPoolSpec initSpec() {
    return new StandbyPoolSpec();
  }

  @Override
  protected StandbyPoolStatus initStatus() {
    return new StandbyPoolStatus();
  }
}
