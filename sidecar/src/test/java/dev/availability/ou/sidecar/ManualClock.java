package dev.availability.ou.sidecar;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that moves only when the test moves it, in ticks, running the test's step (the lease keeper's
 * look, the standby being heard) after each: what a second of lease takes in real time takes no time here.
 */
final class ManualClock implements LongSupplier {
  static final long TICK_MILLIS = 10;

  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  /** Moves {@code millis} forward at once, running nothing (a call that takes that long). */
  void advance(long millis) {
    nanos.addAndGet(millis * 1_000_000L);
  }

  /** Moves {@code millis} forward, tick by tick, running {@code step} after each tick. */
  void pass(long millis, Runnable step) {
    for (long passed = 0; passed < millis; passed += TICK_MILLIS) {
      nanos.addAndGet(TICK_MILLIS * 1_000_000L);
      step.run();
    }
  }

  /**
   * Runs {@code step}, then moves tick by tick (running it after each) until {@code done} holds; fails, as an
   * await would, when it does not within {@code limitMillis} of this clock.
   */
  void passUntil(String what, long limitMillis, Runnable step, BooleanSupplier done) {
    step.run();
    for (long passed = 0; !done.getAsBoolean(); passed += TICK_MILLIS) {
      if (passed >= limitMillis)
        throw new AssertionError("not within " + limitMillis + " ms of the clock: " + what);
      nanos.addAndGet(TICK_MILLIS * 1_000_000L);
      step.run();
    }
  }
}
