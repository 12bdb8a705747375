package dev.availability.ou.failover;

import java.time.Instant;

/**
 * One piece of evidence that a member failed. Strong signals alone justify a failover; weak ones only
 * in pairs, so that a partition (one side losing sight of the other) never promotes on its own.
 */
public record Signal(Kind kind, Instant since, String message) {

  public enum Kind {
    PodGone(true), PodDeleting(true), PodFailed(true), AppCrashed(true), AppRestarted(true), Unready(true),
    NodeNotReady(true), AppUnhealthy(true), LeaseExpired(true),
    PeerLost(false), NodeLeaseStale(false), LeaseOverdue(false);

    private final boolean strong;

    Kind(boolean strong) {
      this.strong = strong;
    }

    public boolean strong() {
      return strong;
    }
  }

  public boolean strong() {
    return kind.strong();
  }
}
