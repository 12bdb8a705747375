package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** A command that reads one unit and shows it as text or JSON; it changes nothing. */
abstract class UnitViewCommand implements Callable<Integer> {
  @ParentCommand
  KubectlOu parent;

  @Parameters(index = "0", paramLabel = "UNIT", description = "The OperationalUnit.")
  String unit;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json.")
  OutputFormat output = OutputFormat.text;

  /** What to show, read from the cluster at {@code now}. */
  abstract Object read(Cluster cluster, Instant now);

  /** {@code view} (from {@link #read}) as text. */
  abstract void printText(Object view, Instant now, PrintWriter out);

  @Override
  public final Integer call() {
    PrintWriter out = parent.spec.commandLine().getOut();
    try (Cluster cluster = parent.cluster.connect()) {
      Instant now = Instant.now();
      Object view = read(cluster, now);
      if (output == OutputFormat.json) out.println(Json.pretty(view));
      else printText(view, now, out);
    }
    return KubectlOu.OK;
  }
}
