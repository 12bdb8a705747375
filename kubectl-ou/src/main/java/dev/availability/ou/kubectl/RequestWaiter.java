package dev.availability.ou.kubectl;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.RequestStatus;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the unit until the operator has answered a request (Done or Refused) or the time is up, printing progress on
 * stderr: each new state or message the operator writes, and a line every {@link #STILL_WAITING} without news.
 */
final class RequestWaiter {
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration STILL_WAITING = Duration.ofSeconds(15);
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final Supplier<OperationalUnit> read;
  private final PrintWriter progress;
  private final Clock clock;

  RequestWaiter(Supplier<OperationalUnit> read, PrintWriter progress, Clock clock) {
    this.read = read;
    this.progress = progress;
    this.clock = clock;
  }

  /** The finished answer, or empty when {@code timeout} passed first. */
  Optional<RequestStatus> await(Request request, Duration timeout) {
    Instant start = clock.instant();
    Instant deadline = start.plus(timeout);
    Instant lastNews = start;
    String seen = null;
    while (true) {
      Optional<RequestStatus> answer = RequestAnswers.find(read.get(), request);
      Instant now = clock.instant();
      if (answer.isPresent()) {
        String line = answer.get().getState()
            + (answer.get().getMessage() == null ? "" : ": " + answer.get().getMessage());
        if (!Objects.equals(line, seen)) {
          progress.println("  " + CLOCK.format(now) + " " + line);
          progress.flush();
          seen = line;
          lastNews = now;
        }
        if (RequestAnswers.finished(answer.get())) return answer;
      }
      if (!now.isBefore(deadline)) return Optional.empty();
      if (Duration.between(lastNews, now).compareTo(STILL_WAITING) >= 0) {
        progress.println("  " + CLOCK.format(now) + " still waiting ("
            + Ages.of(Duration.between(start, now).toMillis()) + " of "
            + Ages.of(timeout.toMillis()) + ")");
        progress.flush();
        lastNews = now;
      }
      sleep(Duration.ofMillis(
          Math.min(POLL.toMillis(), Math.max(1, Duration.between(now, deadline).toMillis()))));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for the operator");
    }
  }
}
