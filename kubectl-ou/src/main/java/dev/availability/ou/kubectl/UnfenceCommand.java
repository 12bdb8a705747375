package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "unfence",
    header = "Unfence MEMBER: it may serve again.",
    description = "Unfence MEMBER: it may serve again (it rejoins as standby). Removes MEMBER from "
        + UnitAnnotations.FENCED_MEMBERS + " (the annotation is left empty when it was the last).",
    mixinStandardHelpOptions = true)
final class UnfenceCommand extends RequestCommand {
  @Parameters(index = "1", paramLabel = "MEMBER", description = "The fenced member pod.")
  String member;

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    return new Request(
        RequestStatus.Kind.Fence,
        UnitAnnotations.FENCED_MEMBERS,
        FencedMembers.without(FenceCommand.current(u), member),
        "unfencing " + member);
  }

  @Override
  boolean nothingToDo(OperationalUnit u, Request request, PrintWriter out) {
    java.util.List<String> fenced = FencedMembers.parse(FenceCommand.current(u));
    if (fenced.contains(member)) return false;
    out.println(unit + ": " + member + " is not fenced (fenced: "
        + (fenced.isEmpty() ? "none" : String.join(", ", fenced)) + "); nothing to do");
    return true;
  }
}
