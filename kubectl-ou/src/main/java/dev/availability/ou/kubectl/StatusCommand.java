package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    header = "Show a unit: members, lease, conditions, requests, history, events.",
    description =
        "The unit's members (node, role, epoch, durable sequence, lag, peer heartbeat), its lease, "
            + "conditions, requests, last history entries and recent events.",
    mixinStandardHelpOptions = true)
final class StatusCommand extends UnitViewCommand {
  @Override
  Object read(Cluster cluster, Instant now) {
    return StatusView.of(UnitSnapshot.read(cluster, unit), now);
  }

  @Override
  void printText(Object view, Instant now, PrintWriter out) {
    StatusText.print((StatusView) view, now, out);
  }
}
