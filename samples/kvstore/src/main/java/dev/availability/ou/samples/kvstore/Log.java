package dev.availability.ou.samples.kvstore;

import java.time.Instant;

/** One line per event on standard output, as container logs expect. */
final class Log {
  private Log() {}

  static void info(String message) {
    System.out.println(Instant.now() + " kvstore " + message);
  }
}
