package dev.availability.ou.kubectl;

import dev.availability.ou.api.RequestStatus;
import dev.availability.ou.api.UnitAnnotations;
import picocli.CommandLine.Command;

@Command(
    name = "release",
    header = "Hand a quarantined stimulus back to the application, to be reprocessed after all.",
    description =
        "A stimulus two copies of the application failed on is quarantined (condition CommonModeFailure):"
            + " no member reprocesses it. Once the cause is fixed, release it: the primary's application reprocesses it"
            + " (unless it settled it already). Writes " + UnitAnnotations.RELEASE_STIMULUS
            + "=<id>@<time>.",
    mixinStandardHelpOptions = true)
final class ReleaseCommand extends QuarantinedStimulusCommand {
  @Override
  RequestStatus.Kind kind() {
    return RequestStatus.Kind.ReleaseStimulus;
  }

  @Override
  String annotation() {
    return UnitAnnotations.RELEASE_STIMULUS;
  }

  @Override
  String verb() {
    return "release";
  }
}
