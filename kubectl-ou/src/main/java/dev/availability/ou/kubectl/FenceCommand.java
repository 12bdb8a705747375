package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "fence",
    header = "Fence MEMBER: it serves nothing.",
    description =
        "Fence MEMBER: it serves nothing (out of the Service, its epoch refused). Fencing the primary "
            + "fails over to an in-sync standby, or leaves the unit without a primary when none is in sync. Adds MEMBER to "
            + UnitAnnotations.FENCED_MEMBERS + ".",
    mixinStandardHelpOptions = true)
final class FenceCommand extends RequestCommand {
  @Parameters(index = "1", paramLabel = "MEMBER", description = "The member pod to fence.")
  String member;

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    requireMember(cluster, u, member);
    return new Request(
        RequestStatus.Kind.Fence,
        UnitAnnotations.FENCED_MEMBERS,
        FencedMembers.with(current(u), member),
        "fencing " + member);
  }

  static String current(OperationalUnit u) {
    Map<String, String> a = u.getMetadata().getAnnotations();
    return a == null ? null : a.get(UnitAnnotations.FENCED_MEMBERS);
  }
}
