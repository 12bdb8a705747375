package dev.availability.ou.e2e.client;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One line a second while the client runs: acknowledged writes that second, failures (and the commonest kind), totals. */
final class ProgressLine {
  private final PrintStream out;
  private final long startNanos;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> failuresThisSecond =
      new ConcurrentHashMap<>();
  private final Thread thread = new Thread(this::loop, "load-progress");
  private volatile boolean running = true;

  ProgressLine(PrintStream out, long startNanos) {
    this.out = out;
    this.startNanos = startNanos;
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void count(Attempt a) {
    if (a.acked()) {
      acked.incrementAndGet();
    } else {
      failed.incrementAndGet();
      failuresThisSecond.computeIfAbsent(a.failure(), k -> new AtomicLong()).incrementAndGet();
    }
  }

  void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    long ackedBefore = 0;
    long failedBefore = 0;
    for (long second = 1; running; second++) {
      long at = startNanos + second * 1_000_000_000L;
      try {
        long waitMs = (at - System.nanoTime()) / 1_000_000;
        if (waitMs > 0) Thread.sleep(waitMs);
      } catch (InterruptedException e) {
        return;
      }
      long a = acked.get();
      long f = failed.get();
      String commonest = failuresThisSecond.entrySet().stream()
          .max((x, y) -> Long.compare(x.getValue().get(), y.getValue().get()))
          .map(e -> " (mostly " + e.getKey() + ")")
          .orElse("");
      failuresThisSecond.clear();
      out.println(String.format(
          Locale.ROOT,
          "load %4ds  acked/s %5d  failed %4d%s  total acked %d, failed %d",
          second,
          a - ackedBefore,
          f - failedBefore,
          commonest,
          a,
          f));
      ackedBefore = a;
      failedBefore = f;
    }
  }
}
