package dev.availability.ou.operator;

import dev.availability.ou.api.QuarantinedStimulusStatus;
import dev.availability.ou.failover.QuarantinedStimulus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code status.quarantinedStimuli} to and from the core's {@link QuarantinedStimulus}. Pure. */
final class QuarantineStatus {
  private QuarantineStatus() {}

  static List<QuarantinedStimulusStatus> of(List<QuarantinedStimulus> quarantine) {
    List<QuarantinedStimulusStatus> out = new ArrayList<>();
    for (QuarantinedStimulus q : quarantine) {
      QuarantinedStimulusStatus s = new QuarantinedStimulusStatus();
      s.setId(q.id());
      s.setMembers(new ArrayList<>(q.members()));
      s.setFailedAt(new ArrayList<>(q.failedAt().stream().map(Times::format).toList()));
      s.setQuarantinedAt(Times.format(q.quarantinedAt()));
      s.setSettledAt(q.settledAt() == null ? null : Times.format(q.settledAt()));
      out.add(s);
    }
    return out;
  }

  /** The quarantine the status holds; an entry without an id is skipped, an unreadable time is reported and unknown. */
  static List<QuarantinedStimulus> read(List<QuarantinedStimulusStatus> stored, Readings readings) {
    List<QuarantinedStimulus> out = new ArrayList<>();
    if (stored == null) return out;
    for (int i = 0; i < stored.size(); i++) {
      QuarantinedStimulusStatus s = stored.get(i);
      if (s == null || s.getId() == null) continue;
      String at = "status.quarantinedStimuli[" + i + "].";
      List<Instant> failedAt = new ArrayList<>();
      List<String> times = s.getFailedAt() == null ? List.of() : s.getFailedAt();
      for (int j = 0; j < times.size(); j++) {
        Instant t = readings.time(at + "failedAt[" + j + "]", times.get(j));
        if (t != null) failedAt.add(t);
      }
      out.add(new QuarantinedStimulus(
          s.getId(),
          s.getMembers() == null ? List.of() : s.getMembers(),
          failedAt,
          readings.time(at + "quarantinedAt", s.getQuarantinedAt()),
          readings.time(at + "settledAt", s.getSettledAt())));
    }
    return out;
  }
}
