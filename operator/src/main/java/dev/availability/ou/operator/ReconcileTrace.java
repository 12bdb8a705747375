package dev.availability.ou.operator;

/**
 * How long each step of one reconcile took, for a DEBUG line: where the first second of a failover goes (the steps
 * write to the API server, and a unit's next reconcile waits for this one).
 */
final class ReconcileTrace {
  private final boolean on;
  private final long start = System.nanoTime();
  private long last = start;
  private final StringBuilder steps = new StringBuilder();

  /** @param on whether the trace is logged at all (off: every step is free) */
  ReconcileTrace(boolean on) {
    this.on = on;
  }

  boolean on() {
    return on;
  }

  /** Ends the step {@code name} now. */
  void step(String name) {
    if (!on) return;
    long t = System.nanoTime();
    steps.append(' ').append(name).append('=').append((t - last) / 1_000_000).append("ms");
    last = t;
  }

  long totalMillis() {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Override
  public String toString() {
    return totalMillis() + " ms:" + steps;
  }
}
