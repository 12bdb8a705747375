package dev.availability.ou.sidecar;

/**
 * Since when a standby has been in sync at its epoch, as its reports say ({@code MemberReport.inSyncSinceMillis}): the
 * time of the first report that said in sync, kept while every later one says so at the same epoch. The operator counts
 * a Synchronous or Journal primary's unreadiness only from then (PrimaryHealthEvaluator): a primary that relied on this
 * standby may be unready for want of it, and before it nothing could have been promoted. Time is passed in.
 */
final class InSyncSince {
  private Long since;
  private long epoch = -1;

  /** What a report made at {@code nowMillis} says: null unless in sync; else since when (unchanged while it lasts). */
  synchronized Long at(boolean inSync, long epoch, long nowMillis) {
    if (!inSync) {
      since = null;
    } else if (since == null || epoch != this.epoch) {
      since = nowMillis;
    }
    this.epoch = epoch;
    return since;
  }
}
