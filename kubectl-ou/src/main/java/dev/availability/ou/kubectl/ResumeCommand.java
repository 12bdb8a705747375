package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(
    name = "resume",
    header = "Resume the operator for the unit, or its automatic failover after a failover loop.",
    description = "After kubectl ou pause: resumes the operator (writes " + UnitAnnotations.PAUSED
        + "=false). "
        + "When a failover loop suspended automatic failover (condition Degraded, reason FailoverLoop): resumes it "
        + "(writes " + UnitAnnotations.RESUME_FAILOVERS
        + "=<now>; the failovers before it no longer count).",
    mixinStandardHelpOptions = true)
final class ResumeCommand extends RequestCommand {

  @Override
  Request request(OperationalUnit u, Cluster cluster) {
    if (!RequestCommand.paused(u) && loopSuspended(u)) {
      return new Request(
          RequestStatus.Kind.ResumeFailovers,
          UnitAnnotations.RESUME_FAILOVERS,
          RequestCommand.token(),
          "a resumption of automatic failover");
    }
    return new Request(
        RequestStatus.Kind.Pause, UnitAnnotations.PAUSED, "false", "a resume of the operator");
  }

  /** A unit neither paused nor held by a failover loop has nothing to resume (the operator answers only a resumption). */
  @Override
  boolean nothingToDo(OperationalUnit u, Request request, PrintWriter out) {
    if (RequestCommand.paused(u) || loopSuspended(u)) return false;
    out.println(unit + ": not paused; nothing to do (and automatic failover is not suspended)");
    return true;
  }

  /** As the status shows it: Degraded for a failover loop. */
  static boolean loopSuspended(OperationalUnit u) {
    return u.getStatus() != null
        && u.getStatus().getConditions() != null
        && u.getStatus().getConditions().stream()
            .anyMatch(c -> "Degraded".equals(c.getType())
                && "True".equals(c.getStatus())
                && "FailoverLoop".equals(c.getReason()));
  }
}
