package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "report",
    header = "Write a support tarball (no Secrets).",
    description =
        "A tarball for support: the unit, its pods and objects, events, the operator's and the members' "
            + "logs, each sidecar's /status, kubectl ou status; no Secrets. README.txt in it says what could not be collected and why.",
    mixinStandardHelpOptions = true)
final class ReportCommand implements Callable<Integer> {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  @ParentCommand
  KubectlOu parent;

  @Parameters(index = "0", paramLabel = "UNIT", description = "The OperationalUnit.")
  String unit;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Where to write it (default: ou-report-<unit>-<time>.tar.gz here).")
  Path file;

  @Option(
      names = "--log-lines",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Lines of each log, from the end (default: ${DEFAULT-VALUE}).")
  int logLines;

  @Option(
      names = "--operator-namespace",
      paramLabel = "NAMESPACE",
      description =
          "Where the operator runs (default: found by its label in every namespace you may list).")
  String operatorNamespace;

  @Override
  public Integer call() {
    PrintWriter out = parent.spec.commandLine().getOut();
    PrintWriter err = parent.spec.commandLine().getErr();
    Instant now = Instant.now();
    String root = "ou-report-" + unit + "-" + STAMP.format(now);
    Path target = file != null ? file : Path.of(root + ".tar.gz");
    if (Files.isDirectory(target)) target = target.resolve(root + ".tar.gz");
    try (Cluster cluster = parent.cluster.connect()) {
      cluster.unit(unit); // a unit that is not there fails before any file is written
      List<String> missing;
      try (TarGz tar = new TarGz(target, now)) {
        missing = new SupportReport(cluster, tar, root + "/", logLines, operatorNamespace)
            .collect(unit, now);
      }
      missing.forEach(m -> err.println("not collected: " + m));
    }
    out.println(target);
    return KubectlOu.OK;
  }
}
