package dev.availability.ou.testsupport;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines for long operations, on stderr so they show while Maven runs the tests. */
public final class Progress {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Progress() {}

  public static void log(String message) {
    System.err.println("[ou-test " + LocalTime.now().format(TIME) + "] " + message);
    System.err.flush();
  }

  /** Seconds since {@code startNanos} (from {@link System#nanoTime()}), with one decimal. */
  public static String since(long startNanos) {
    return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
  }
}
