package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl ou}: the operations of an operational unit from the command line. Each command that asks the operator
 * for something writes the unit's annotation (declarative: GitOps can write the same) and waits for the operator's
 * answer in {@code status.requests}. Exit codes: 0 done, 1 error or refused, 2 usage.
 */
@Command(
    name = "kubectl ou",
    mixinStandardHelpOptions = true,
    versionProvider = KubectlOu.Version.class,
    description = {
      "Operate operational units (ou-operator): see their state, move the primary, fence a member, pause the "
          + "operator, run a failover drill, read the history, collect a support report.",
      ""
    },
    subcommands = {
      StatusCommand.class,
      PromoteCommand.class,
      FenceCommand.class,
      UnfenceCommand.class,
      PauseCommand.class,
      ResumeCommand.class,
      ReleaseCommand.class,
      DropCommand.class,
      DrillCommand.class,
      HistoryCommand.class,
      ReportCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 done, 1 an error or the operator refused (the message says why), 2 wrong usage.",
      "Reference: docs/kubectl-ou.md"
    },
    usageHelpAutoWidth = true)
public final class KubectlOu implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; what it prints goes to {@code out} (results) and {@code err} (progress, errors). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new KubectlOu());
    // Wrong usage exits 2, a failure 1: both handlers answer, with kubectl's "error: " prefix.
    cli.setOut(out)
        .setErr(err)
        .setParameterExceptionHandler((e, ignored) -> usageError(e, err))
        .setExecutionExceptionHandler((e, commandLine, parsed) -> {
          err.println("error: " + CliException.describe(e));
          err.flush();
          return FAILED;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** As kubectl says it: what is wrong, a suggestion when there is one, where the usage is. Exit code 2. */
  private static int usageError(CommandLine.ParameterException e, PrintWriter err) {
    err.println("error: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    String command = e.getCommandLine().getCommandSpec().qualifiedName();
    err.println("See '" + command + " --help' for usage.");
    err.flush();
    return USAGE;
  }

  /** {@code kubectl ou} alone: the usage, as an error (a command is required). */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: a command is required");
    spec.commandLine().usage(err);
    return USAGE;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KubectlOu.class.getPackage().getImplementationVersion();
      return new String[] {"kubectl ou " + (v == null ? "(development build)" : v)};
    }
  }
}
