package dev.availability.ou.kubectl;

import dev.availability.ou.api.FailoverRecord;
import dev.availability.ou.api.OperationalUnit;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "history", header = "Show the last failovers, switchovers and drills.",
    description = "The unit's last failovers, switchovers and drills (status.history, newest first): reason, "
    + "epochs, detection, promotion and traffic-switch times, recovery budget met or missed, updates lost.", mixinStandardHelpOptions = true)
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand KubectlOu parent;
  @Parameters(index = "0", paramLabel = "UNIT", description = "The OperationalUnit.") String unit;
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json.") OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    PrintWriter out = parent.spec.commandLine().getOut();
    try (Cluster cluster = parent.cluster.connect()) {
      OperationalUnit u = cluster.unit(unit);
      List<FailoverRecord> history = u.getStatus() == null || u.getStatus().getHistory() == null ? List.of() : u.getStatus().getHistory();
      if (output == OutputFormat.json) out.println(Json.pretty(history));
      else HistoryText.print(history, Integer.MAX_VALUE, Instant.now(), out);
    }
    return KubectlOu.OK;
  }
}
