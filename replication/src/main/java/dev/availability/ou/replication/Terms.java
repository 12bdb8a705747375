package dev.availability.ou.replication;

/**
 * A term names one primary incarnation: the epoch the operator assigned (high bits) and how many times a
 * member has started serving as primary at that epoch (low 16 bits). Terms only grow along a log.
 */
public final class Terms {
  public static final int INCARNATION_BITS = 16;
  public static final int MAX_INCARNATION = (1 << INCARNATION_BITS) - 1;

  private Terms() {}

  public static long of(long epoch, int incarnation) {
    if (incarnation < 0 || incarnation > MAX_INCARNATION)
      throw new IllegalArgumentException("incarnation " + incarnation);
    return (epoch << INCARNATION_BITS) | incarnation;
  }

  public static long epoch(long term) {
    return term >>> INCARNATION_BITS;
  }

  public static int incarnation(long term) {
    return (int) (term & MAX_INCARNATION);
  }

  public static String format(long term) {
    return epoch(term) + "." + incarnation(term);
  }
}
