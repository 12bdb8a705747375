package dev.availability.ou.failover;

import java.time.Instant;

/**
 * One piece of evidence that a member failed. Strong signals alone justify a failover; weak ones only
 * in pairs, so that a partition (one side losing sight of the other) never promotes on its own.
 */
public record Signal(Kind kind, Instant since, String message) {

  public enum Kind {
    PodGone(true, false),
    PodDeleting(true, false),
    PodFailed(true, false),
    AppCrashed(true, false),
    AppRestarted(true, false),
    Unready(true, false),
    NodeNotReady(true, true),
    AppUnhealthy(true, false),
    LeaseExpired(true, true),
    PeerLost(false, true),
    NodeLeaseStale(false, true),
    LeaseOverdue(false, true),
    /**
     * The primary's node lease and its standby's, on another node, both stale ({@link MembersSilence}). Strong: it
     * needs no partner, being two witnesses already (two nodes the API server no longer hears), and it cannot make
     * things worse: nothing is promoted, fenced or deleted on it, the unit only shows that it does not serve. Not a
     * second weak kind: that would pair with a lease overdue or a lost peer, of which the standby's node says nothing.
     */
    MembersSilent(true, true);

    private final boolean strong;
    private final boolean suspectsNode;

    Kind(boolean strong, boolean suspectsNode) {
      this.strong = strong;
      this.suspectsNode = suspectsNode;
    }

    public boolean strong() {
      return strong;
    }

    /** The node (or the network to it) may be at fault, not just the pod: keep a new standby off it. */
    public boolean suspectsNode() {
      return suspectsNode;
    }
  }

  public boolean strong() {
    return kind.strong();
  }
}
