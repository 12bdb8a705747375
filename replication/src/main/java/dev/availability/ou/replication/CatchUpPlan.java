package dev.availability.ou.replication;

/**
 * What the primary does for a standby that stated its position: stream from the first entry they do
 * not share while the log still holds it (the standby cuts any diverged tail first), otherwise send a
 * snapshot and stream after it.
 *
 * @param kind stream or snapshot first
 * @param commonPrefix the last sequence both logs agree on; the standby cuts everything after it
 * @param fromSeq the first sequence streamed (for a snapshot: set by the snapshot's sequence + 1)
 */
public record CatchUpPlan(Kind kind, long commonPrefix, long fromSeq) {
  public enum Kind {
    STREAM,
    SNAPSHOT
  }

  /**
   * Plans the catch-up of a standby.
   *
   * @param primaryFirst the first sequence the primary's log still holds
   * @param primaryLast the primary's last sequence
   * @param primaryHistory the primary's term history
   * @param standby what the standby stated
   */
  public static CatchUpPlan plan(
      long primaryFirst, long primaryLast, TermHistory primaryHistory, Messages.Position standby) {
    long common = primaryHistory.commonPrefix(primaryLast, standby.history(), standby.lastSeq());
    if (common + 1 >= primaryFirst) return new CatchUpPlan(Kind.STREAM, common, common + 1);
    return new CatchUpPlan(Kind.SNAPSHOT, common, 0);
  }

  /**
   * Whether the standby holds entries after the common prefix written at {@code epoch}, this primary's own epoch:
   * only an earlier incarnation of this primary wrote those, so this primary had them and lost them (it came back
   * with a shorter log: an fsync policy other than {@code always}, a lost disk tail). Where a write is acknowledged
   * only once the standby holds it, they may be acknowledged writes and must not be cut.
   */
  public boolean standbyHoldsRecordsThisPrimaryLost(long epoch, Messages.Position standby) {
    return standby.lastSeq() > commonPrefix
        && Terms.epoch(standby.history().termAt(standby.lastSeq())) >= epoch;
  }

  /** Whether the standby must cut entries it holds (its unacknowledged, diverged tail). */
  public boolean cutsTail(long standbyLast) {
    return standbyLast > commonPrefix;
  }
}
