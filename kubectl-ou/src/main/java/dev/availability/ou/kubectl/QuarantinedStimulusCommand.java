package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.QuarantinedStimulusStatus;
import dev.availability.ou.api.RequestStatus;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * A request about one quarantined stimulus (release or drop): refused here at once when the unit quarantines no
 * stimulus of that id, naming those it does; otherwise the annotation {@code <id>@<now>}, answered by the operator.
 */
abstract class QuarantinedStimulusCommand extends RequestCommand {
  @Parameters(
      index = "1",
      paramLabel = "STIMULUS",
      description = "The id of a quarantined stimulus (status.quarantinedStimuli).")
  String stimulus;

  abstract RequestStatus.Kind kind();

  abstract String annotation();

  abstract String verb();

  @Override
  final Request request(OperationalUnit u, Cluster cluster) {
    List<String> ids = quarantined(u);
    if (!ids.contains(stimulus)) {
      throw new CliException(unit + " has no quarantined stimulus '" + stimulus + "' (quarantined: "
          + (ids.isEmpty() ? "none" : String.join(", ", ids))
          + "); kubectl ou status " + unit + " shows them");
    }
    return new Request(
        kind(),
        annotation(),
        stimulus + "@" + token(),
        "the " + verb() + " of quarantined stimulus " + stimulus);
  }

  static List<String> quarantined(OperationalUnit u) {
    return u.getStatus() == null || u.getStatus().getQuarantinedStimuli() == null
        ? List.of()
        : u.getStatus().getQuarantinedStimuli().stream()
            .map(QuarantinedStimulusStatus::getId)
            .toList();
  }
}
