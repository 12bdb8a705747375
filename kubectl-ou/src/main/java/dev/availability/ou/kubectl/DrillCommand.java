package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import picocli.CommandLine.Command;

@Command(
    name = "drill",
    header = "Run a failover drill and record the recovery it measured.",
    description =
        "A failover drill: the operator promotes an in-sync standby as it would after a fault and "
            + "records the recovery it measured (kind Drill in kubectl ou history). Writes "
            + UnitAnnotations.DRILL + "=<time>.",
    mixinStandardHelpOptions = true)
final class DrillCommand extends RequestCommand {

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    return new Request(
        RequestStatus.Kind.Drill, UnitAnnotations.DRILL, token(), "a failover drill");
  }
}
