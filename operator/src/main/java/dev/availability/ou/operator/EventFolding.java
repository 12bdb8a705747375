package dev.availability.ou.operator;

import java.time.Duration;
import java.time.Instant;

/**
 * When a repeated Event (same unit, reason and message) is written. kubectl shows a repeat as one Event with a count;
 * writing each repeat costs the API server a write, and some repeat every reconcile while a condition lasts (a
 * standby that keeps losing its primary's heartbeats, a primary suspect for a while) — on the busy seconds of a
 * failover, or on every unit of a thousand. So a repeat within {@link #HOLD} of the last write is counted in memory
 * and written once when the hold is over; a repeat after it is written at once; after {@link #FOLD_WINDOW} a repeat is a
 * new Event. Pure.
 */
final class EventFolding {
  static final Duration HOLD = Duration.ofSeconds(5);
  static final Duration FOLD_WINDOW = Duration.ofMinutes(10);

  private EventFolding() {}

  enum Step {
    /** A new Event. */
    CREATE,
    /** The folded Event's count and last time, now. */
    UPDATE_NOW,
    /** Counted; written when the hold since the last write is over. */
    HOLD
  }

  /**
   * @param lastWritten when the Event of this key was last written (null: none known)
   * @param now the repeat's time
   */
  static Step of(Instant lastWritten, Instant now) {
    if (lastWritten == null) return Step.CREATE;
    Duration since = Duration.between(lastWritten, now);
    if (since.compareTo(FOLD_WINDOW) >= 0) return Step.CREATE;
    return since.compareTo(HOLD) >= 0 ? Step.UPDATE_NOW : Step.HOLD;
  }

  /** How long after {@code now} a held repeat is written. */
  static Duration flushIn(Instant lastWritten, Instant now) {
    Duration left = HOLD.minus(Duration.between(lastWritten, now));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
