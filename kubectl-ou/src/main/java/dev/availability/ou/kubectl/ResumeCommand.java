package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(
    name = "resume",
    header = "Resume the operator for the unit.",
    description = "Resume the operator for this unit after kubectl ou pause. Writes "
        + UnitAnnotations.PAUSED + "=false.",
    mixinStandardHelpOptions = true)
final class ResumeCommand extends RequestCommand {

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    return new Request(
        RequestStatus.Kind.Pause, UnitAnnotations.PAUSED, "false", "a resume of the operator");
  }

  /** A unit that is not paused has nothing to resume (and the operator answers only a resumption). */
  @Override
  boolean nothingToDo(OperationalUnit u, Request request, PrintWriter out) {
    if (RequestCommand.paused(u)) return false;
    out.println(unit + ": not paused; nothing to do");
    return true;
  }
}
