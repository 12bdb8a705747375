package dev.availability.ou.kubelet;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** One line per event on stderr, with the time: what the kubelet did, for the cluster's logs. */
final class Log {
  private static final boolean DEBUG = System.getenv("OU_KUBELET_DEBUG") != null;

  private Log() {}

  static void info(String format, Object... args) {
    System.err.println(
        LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + String.format(format, args));
  }

  static void debug(String format, Object... args) {
    if (DEBUG) info("debug: " + format, args);
  }
}
