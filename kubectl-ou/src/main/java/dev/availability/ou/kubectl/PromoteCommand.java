package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "promote",
    header = "Switch over to MEMBER (or any in-sync standby), losing nothing.",
    description =
        "A planned, zero-loss switchover: MEMBER (or any in-sync standby) becomes primary. "
            + "Refused when the target is not in sync. Writes " + UnitAnnotations.SWITCHOVER_TO
            + "=<member|any>@<time>, so it can be asked again.",
    mixinStandardHelpOptions = true)
final class PromoteCommand extends RequestCommand {
  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "MEMBER",
      description = "The member pod to promote (default: any in-sync standby).")
  String member;

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    if (member != null) requireMember(cluster, u, member);
    String target = member == null ? "any" : member;
    return new Request(
        RequestStatus.Kind.Switchover,
        UnitAnnotations.SWITCHOVER_TO,
        target + "@" + token(),
        "a switchover to " + (member == null ? "any in-sync standby" : member));
  }
}
