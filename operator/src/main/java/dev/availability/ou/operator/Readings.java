package dev.availability.ou.operator;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads values others may have written (annotations, lease fields, the status): a value that does not parse is
 * noted and read as absent, never thrown, so one bad annotation cannot fail every reconcile of its unit. The notes
 * become the unit's {@code MalformedValues} condition and a Warning event.
 */
final class Readings {
  private static final int SHOWN = 64;
  private final List<String> malformed = new ArrayList<>();

  /** A whole number; null when absent, or malformed (and noted). */
  Long number(String where, String text) {
    if (text == null) return null;
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return note(where, text, "is not a whole number");
    }
  }

  /** An RFC 3339 time; null when absent, or malformed (and noted). */
  Instant time(String where, String text) {
    try {
      return Times.parse(text);
    } catch (DateTimeParseException e) {
      return note(where, text, "is not an RFC 3339 time");
    }
  }

  /** A contract record's JSON; null when absent, or malformed (and noted). */
  <T> T json(String where, String text, Function<String, T> reader) {
    if (text == null) return null;
    try {
      return reader.apply(text);
    } catch (IllegalArgumentException e) {
      return note(where, text, "is malformed (" + e.getMessage() + ")");
    }
  }

  /** Notes a value that parsed but makes no sense (a negative duration), and reads it as absent. */
  <T> T note(String where, String text, String why) {
    String shown = text.length() > SHOWN ? text.substring(0, SHOWN) + "…" : text;
    malformed.add(where + " " + why + ": '" + shown + "'");
    return null;
  }

  List<String> malformed() {
    return List.copyOf(malformed);
  }
}
