package dev.availability.ou.kubectl;

import dev.availability.ou.api.Durations;
import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A command that asks the operator for something: it writes the unit's annotation, then waits for the answer in
 * {@code status.requests}. Done exits 0, Refused exits 1 with the operator's message, no answer in time exits 1 and
 * says the request stays asked.
 */
abstract class RequestCommand implements Callable<Integer> {
  @ParentCommand
  KubectlOu parent;

  @Parameters(index = "0", paramLabel = "UNIT", description = "The OperationalUnit.")
  String unit;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "2m",
      description =
          "How long to wait for the operator's answer, for example 90s or 5m (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--no-wait",
      description = "Write the annotation and return without waiting for the operator.")
  boolean noWait;

  /** What to write, given the unit as it is now (throws a CliException when the request makes no sense). */
  abstract Request request(OperationalUnit unit, Cluster cluster);

  /** Says so and returns true when there is nothing to ask (then nothing is written or awaited). */
  boolean nothingToDo(OperationalUnit unit, Request request, PrintWriter out) {
    return false;
  }

  @Override
  public final Integer call() {
    PrintWriter out = parent.spec.commandLine().getOut();
    PrintWriter err = parent.spec.commandLine().getErr();
    Duration limit = parseTimeout();
    try (Cluster cluster = parent.cluster.connect()) {
      OperationalUnit current = cluster.unit(unit);
      Request request = request(current, cluster);
      if (nothingToDo(current, request, out)) return KubectlOu.OK;
      if (request.changes(current)) {
        cluster.annotate(unit, request.annotation(), request.value());
        err.println(unit + ": asked for " + request.what() + " (" + request.asAnnotation() + ")");
      } else {
        err.println(
            unit + ": " + request.what() + " was asked already (" + request.asAnnotation() + ")");
      }
      if (paused(current) && request.kind() != RequestStatus.Kind.Pause) {
        err.println("note: the unit is paused (" + UnitAnnotations.PAUSED
            + "=true): the operator acts on nothing until kubectl ou resume " + unit);
      }
      if (noWait) return KubectlOu.OK;
      err.println("waiting for the operator's answer (up to " + Ages.of(limit.toMillis()) + ")...");
      err.flush();
      Optional<RequestStatus> answer =
          new RequestWaiter(() -> cluster.unit(unit), err, Clock.systemUTC()).await(request, limit);
      if (answer.isEmpty()) throw new CliException(noAnswer(request, limit));
      if (answer.get().getState() == RequestStatus.State.Refused) {
        throw new CliException(
            "the operator refused " + request.what() + ": " + answer.get().getMessage());
      }
      out.println(unit + ": " + request.what() + " done"
          + (answer.get().getMessage() == null ? "" : ": " + answer.get().getMessage()));
      return KubectlOu.OK;
    }
  }

  private Duration parseTimeout() {
    try {
      return Durations.parse(timeout);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          parent.spec.commandLine(),
          "--timeout " + timeout + " is not a duration: write it as 90s, 2m or 1m30s");
    }
  }

  private String noAnswer(Request request, Duration limit) {
    return "no answer from the operator within " + Ages.of(limit.toMillis()) + " to "
        + request.what() + ". Is it running? "
        + "(kubectl get pods -A -l app.kubernetes.io/name=ou-operator). The request stays asked ("
        + request.asAnnotation()
        + "): the operator acts on it when it comes; see kubectl ou status " + unit
        + ", or withdraw it with "
        + "kubectl annotate ou " + unit + " " + request.annotation() + "-";
  }

  /** As the operator reads it: "true" in any case, blanks around it ignored. */
  static boolean paused(OperationalUnit unit) {
    Map<String, String> a = unit.getMetadata().getAnnotations();
    return a != null
        && a.get(UnitAnnotations.PAUSED) != null
        && a.get(UnitAnnotations.PAUSED).trim().equalsIgnoreCase("true");
  }

  /** A new value each time, so the same request can be asked again ({@code <target>@<token>}, {@code <token>}). */
  static String token() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** The member pod of that name, or an error listing the unit's members. */
  static void requireMember(Cluster cluster, OperationalUnit unit, String member) {
    List<String> members =
        cluster.members(unit).stream().map((Pod p) -> p.getMetadata().getName()).toList();
    if (!members.contains(member)) {
      throw new CliException(
          "\"" + member + "\" is not a member of unit " + unit.getMetadata().getName()
              + ": its members are " + (members.isEmpty() ? "none" : String.join(", ", members))
              + " (kubectl ou status " + unit.getMetadata().getName() + ")");
    }
  }
}
