package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The verdict on the primary: failed (enough evidence), suspect (evidence that is not enough yet, with
 * when to look again) or healthy.
 */
public record Verdict(Status status, List<Signal> signals, Duration recheckAfter) {
  public enum Status {
    Healthy,
    Suspect,
    Failed
  }

  public boolean failed() {
    return status == Status.Failed;
  }

  /** The earliest moment any of the deciding signals was visible. */
  public Instant faultObservedAt(Instant now) {
    return signals.stream()
        .map(Signal::since)
        .filter(t -> t != null && !t.isAfter(now))
        .min(Comparator.naturalOrder())
        .orElse(now);
  }

  public Signal.Kind mainKind() {
    return signals.stream()
        .filter(Signal::strong)
        .findFirst()
        .orElse(signals.isEmpty() ? null : signals.get(0))
        .kind();
  }

  public String describe() {
    return signals.stream().map(Signal::message).collect(Collectors.joining("; "));
  }
}
