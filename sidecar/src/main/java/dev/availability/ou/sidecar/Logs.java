package dev.availability.ou.sidecar;

import java.time.Instant;

/** Plain, line-oriented logging to stderr (the container log). */
final class Logs {
  private Logs() {}

  static void info(String msg) {
    System.err.println(Instant.now() + " INFO  " + msg);
  }

  static void warn(String msg) {
    System.err.println(Instant.now() + " WARN  " + msg);
  }

  static void error(String msg, Throwable t) {
    System.err.println(Instant.now() + " ERROR " + msg + (t == null ? "" : ": " + t));
  }
}
