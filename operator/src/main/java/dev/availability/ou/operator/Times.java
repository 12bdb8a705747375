package dev.availability.ou.operator;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** RFC 3339 times as the API carries them. */
final class Times {
  private Times() {}

  static Instant parse(String text) {
    if (text == null || text.isEmpty()) return null;
    return OffsetDateTime.parse(text).toInstant();
  }

  static String format(Instant instant) {
    return instant == null
        ? null
        : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  static Instant of(ZonedDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
