package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", header = "Show a unit: members, lease, conditions, requests, history, events.",
    description = "The unit's members (node, role, epoch, durable sequence, lag, peer heartbeat), its lease, "
    + "conditions, requests, last history entries and recent events.", mixinStandardHelpOptions = true)
final class StatusCommand implements Callable<Integer> {
  @ParentCommand KubectlOu parent;
  @Parameters(index = "0", paramLabel = "UNIT", description = "The OperationalUnit.") String unit;
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json.") OutputFormat output = OutputFormat.text;

  @Override
  public Integer call() {
    PrintWriter out = parent.spec.commandLine().getOut();
    try (Cluster cluster = parent.cluster.connect()) {
      Instant now = Instant.now();
      StatusView view = StatusView.of(UnitSnapshot.read(cluster, unit), now);
      if (output == OutputFormat.json) out.println(Json.pretty(view));
      else StatusText.print(view, now, out);
    }
    return KubectlOu.OK;
  }
}
