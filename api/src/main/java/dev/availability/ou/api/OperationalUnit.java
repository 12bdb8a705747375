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
 * An operational unit: one primary pod that serves, one hot standby pod on another node that holds
 * the primary's state, and a Service that always names the primary.
 */
@Group(OperationalUnit.GROUP)
@Version(OperationalUnit.VERSION)
@Kind("OperationalUnit")
@Plural("operationalunits")
@Singular("operationalunit")
@ShortNames("ou")
@AdditionalPrinterColumn(
    name = "PRIMARY",
    jsonPath = ".status.primary.pod",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "STANDBY",
    jsonPath = ".status.standby.pod",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "PHASE",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
// True while the unit is paused (annotation ou.availability.dev/paused): the operator reports but
// acts on nothing.
@AdditionalPrinterColumn(
    name = "PAUSED",
    jsonPath = ".status.conditions[?(@.type==\"Paused\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "LAG",
    jsonPath = ".status.standby.lag",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "FAILOVERS",
    jsonPath = ".status.failovers",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// -o wide only (priority 1): what a failover changed, and how writes are replicated.
@AdditionalPrinterColumn(
    name = "EPOCH",
    jsonPath = ".status.epoch",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "MODE",
    jsonPath = ".spec.replication.mode",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@JsonClassDescription(
    "An operational unit: one primary pod that serves, one hot standby pod on another node that holds the primary's "
        + "state (streamed by a sidecar), and a Service that always names the primary. The operator moves service to the standby when "
        + "the primary fails. Operations (switchover, fencing, pause, drills) are asked for with annotations ou.availability.dev/...; "
        + "see kubectl ou --help.")
public class OperationalUnit extends CustomResource<OperationalUnitSpec, OperationalUnitStatus>
    implements Namespaced {
  public static final String GROUP = "ou.availability.dev";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "operationalunits." + GROUP;

  // Overridden only to describe the two fields in the CRD (kubectl explain).
  @Override
  @JsonPropertyDescription(
      "What the unit is: the application pod, its Service, and how it is replicated, failed over and placed.")
  public OperationalUnitSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator observes and decides, written by the operator only.")
  public OperationalUnitStatus getStatus() {
    return super.getStatus();
  }

  @Override
  protected OperationalUnitStatus initStatus() {
    return new OperationalUnitStatus();
  }
}
