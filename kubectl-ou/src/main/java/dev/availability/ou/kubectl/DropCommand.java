package dev.availability.ou.kubectl;

import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import picocli.CommandLine.Command;

@Command(
    name = "drop",
    header = "Forget a quarantined stimulus the application has settled.",
    description =
        "A stimulus two copies of the application failed on is quarantined (condition CommonModeFailure)"
            + " until a human drops it. The operator refuses while the application has not settled it (told its user it"
            + " was ignored). Writes " + UnitAnnotations.DROP_STIMULUS + "=<id>@<time>.",
    mixinStandardHelpOptions = true)
final class DropCommand extends QuarantinedStimulusCommand {
  @Override
  RequestStatus.Kind kind() {
    return RequestStatus.Kind.DropStimulus;
  }

  @Override
  String annotation() {
    return UnitAnnotations.DROP_STIMULUS;
  }

  @Override
  String verb() {
    return "drop";
  }
}
