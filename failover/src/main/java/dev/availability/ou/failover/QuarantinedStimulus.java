package dev.availability.ou.failover;

import java.time.Instant;
import java.util.List;

/**
 * A stimulus set aside because two copies of the application failed on it in turn: the evidence a human needs, and
 * whether the application has settled it yet.
 *
 * @param id the stimulus id the application gave {@code OuClient.begin}
 * @param members the primaries that failed with it in flight, in order (the first failed, the second was promoted and
 *     failed reprocessing it)
 * @param failedAt when each of them was seen failing, in the same order
 * @param quarantinedAt when the operator quarantined it
 * @param settledAt when the primary's report stopped listing it (the application told its user it was ignored and
 *     ended it), or null
 */
public record QuarantinedStimulus(
    String id,
    List<String> members,
    List<Instant> failedAt,
    Instant quarantinedAt,
    Instant settledAt) {

  public QuarantinedStimulus {
    members = List.copyOf(members);
    failedAt = List.copyOf(failedAt);
  }

  public boolean settled() {
    return settledAt != null;
  }

  public QuarantinedStimulus settled(Instant at) {
    return new QuarantinedStimulus(id, members, failedAt, quarantinedAt, at);
  }
}
