package dev.availability.ou.kubectl;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

@Command(
    name = "history",
    header = "Show the last failovers, switchovers and drills.",
    description =
        "The unit's last failovers, switchovers and drills (status.history, newest first): reason, "
            + "epochs, detection, promotion and traffic-switch times, recovery budget met or missed, updates lost.",
    mixinStandardHelpOptions = true)
final class HistoryCommand extends UnitViewCommand {
  @Override
  Object read(Cluster cluster, Instant now) {
    OperationalUnit u = cluster.unit(unit);
    return u.getStatus() == null || u.getStatus().getHistory() == null
        ? List.<FailoverRecord>of()
        : u.getStatus().getHistory();
  }

  @Override
  @SuppressWarnings("unchecked")
  void printText(Object view, Instant now, PrintWriter out) {
    HistoryText.print((List<FailoverRecord>) view, Integer.MAX_VALUE, now, out);
  }
}
