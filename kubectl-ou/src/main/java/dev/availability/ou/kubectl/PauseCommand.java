package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import picocli.CommandLine.Command;

@Command(
    name = "pause",
    header = "Pause the operator for the unit: it observes, acts on nothing.",
    description =
        "Pause the operator for this unit: it observes and reports but acts on nothing (no promotion, "
            + "no replacement, no spec roll) until resumed. Writes " + UnitAnnotations.PAUSED
            + "=true.",
    mixinStandardHelpOptions = true)
final class PauseCommand extends RequestCommand {

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    return new Request(
        RequestStatus.Kind.Pause, UnitAnnotations.PAUSED, "true", "a pause of the operator");
  }
}
