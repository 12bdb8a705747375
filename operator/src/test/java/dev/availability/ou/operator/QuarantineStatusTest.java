package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.QuarantinedStimulusStatus;
import dev.availability.ou.failover.QuarantinedStimulus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** status.quarantinedStimuli written and read back: the core's quarantine survives the status (and a restart). */
class QuarantineStatusTest {
  private static final Instant T = Instant.parse("2026-12-06T06:26:46.125Z");

  @Test
  void aQuarantineWrittenToTheStatusReadsBackTheSame() {
    List<QuarantinedStimulus> q = List.of(
        new QuarantinedStimulus(
            "job-j-2",
            List.of("kv-0", "kv-1"),
            List.of(T, T.plusSeconds(2)),
            T.plusSeconds(3),
            null),
        new QuarantinedStimulus(
            "order-9",
            List.of("kv-1", "kv-2"),
            List.of(T, T.plusMillis(500)),
            T.plusSeconds(1),
            T.plusSeconds(9)));
    Readings readings = new Readings();
    assertThat(QuarantineStatus.read(QuarantineStatus.of(q), readings)).isEqualTo(q);
    assertThat(readings.malformed()).isEmpty();
  }

  @Test
  void anUnreadableTimeIsReportedAndAnEntryWithoutIdSkipped() {
    QuarantinedStimulusStatus bad = new QuarantinedStimulusStatus();
    bad.setId("job-1");
    bad.setMembers(List.of("kv-0", "kv-1"));
    bad.setFailedAt(List.of("yesterday", "2026-12-06T06:26:46Z"));
    bad.setQuarantinedAt("2026-12-06T06:26:47Z");
    QuarantinedStimulusStatus noId = new QuarantinedStimulusStatus();
    Readings readings = new Readings();
    List<QuarantinedStimulus> read = QuarantineStatus.read(List.of(bad, noId), readings);
    assertThat(read).extracting(QuarantinedStimulus::id).containsExactly("job-1");
    assertThat(read.get(0).failedAt()).containsExactly(Instant.parse("2026-12-06T06:26:46Z"));
    assertThat(readings.malformed()).anyMatch(m -> m.contains("quarantinedStimuli[0].failedAt[0]"));
  }
}
