package dev.availability.ou.sidecar;

import java.util.Locale;

/** When a write is acknowledged to the application. */
public enum Mode {
  /** After the standby made it durable. */
  SYNCHRONOUS,
  /** After the local append; the standby trails. */
  ASYNCHRONOUS,
  /** As SYNCHRONOUS, with begin/end markers of stimuli, so a promoted standby lists those in flight. */
  JOURNAL;

  public static Mode parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "synchronous", "sync" -> SYNCHRONOUS;
      case "asynchronous", "async", "trailing" -> ASYNCHRONOUS;
      case "journal" -> JOURNAL;
      default ->
        throw new IllegalArgumentException(
            "unknown mode '" + s + "' (Synchronous, Asynchronous, Journal)");
    };
  }

  public String label() {
    return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
  }
}
