package dev.availability.ou.kubelet;

import java.time.Instant;

/**
 * What a container is doing, as its status reports it: running since {@code startedAt}, waiting (with a reason)
 * or terminated; the last termination; restarts; readiness.
 */
record ContainerView(
    String name,
    String image,
    String containerId,
    Instant startedAt,
    String waitingReason,
    Ended terminated,
    Ended lastTerminated,
    int restartCount,
    boolean ready) {

  /** A termination: exit code, reason (Completed, Error, OOMKilled), when it ran. */
  record Ended(int exitCode, String reason, Instant startedAt, Instant finishedAt) {
    static Ended of(int exitCode, Instant startedAt, Instant finishedAt) {
      return new Ended(exitCode, exitCode == 0 ? "Completed" : "Error", startedAt, finishedAt);
    }
  }

  boolean running() {
    return startedAt != null && terminated == null && waitingReason == null;
  }
}
