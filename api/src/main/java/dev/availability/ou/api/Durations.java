package dev.availability.ou.api;

import java.time.Duration;
import java.util.regex.Matcher;

/** Parses the duration strings of the API ("1m30s", "500ms", "1.5s"), as Kubernetes' CEL duration() reads them. */
public final class Durations {
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) throw new IllegalArgumentException("empty duration");
    Matcher m = PART.matcher(text);
    long nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) break;
      double value = Double.parseDouble(m.group(1));
      long unitNanos = switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += Math.round(value * unitNanos);
      end = m.end();
    }
    if (end != text.length()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 500ms, 10s, 1m30s");
    }
    return Duration.ofNanos(nanos);
  }

  /** Formats like Go's time.Duration: 1.5s, 250ms, 2m0s. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) return ms + "ms";
    if (ms < 60_000)
      return (ms % 1000 == 0)
          ? (ms / 1000) + "s"
          : String.format(java.util.Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("0+s$", "s");
    return (ms / 60_000) + "m" + ((ms % 60_000) / 1000) + "s";
  }
}
