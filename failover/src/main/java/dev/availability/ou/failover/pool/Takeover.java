package dev.availability.ou.failover.pool;

/** Whom a pooled unit whose primary failed may be promoted to. */
public sealed interface Takeover {

  /** Promote the unit on {@code pod}, which claims it. */
  record To(String pod) implements Takeover {}

  /**
   * No pod holds the unit promotably but one claimed by another unit does: the shared pod serves one unit
   * at a time ({@code PoolStandbyBusy}).
   */
  record Busy(String claimedBy, String pod) implements Takeover {}

  /** No pod holds the unit promotably (a new shared pod still catching up, or none). */
  record NotPromotable(String why) implements Takeover {}
}
