package dev.availability.ou.failover;

import java.time.Instant;

/**
 * The operator's answer to one request value (kept in {@code status.requests}, one per kind, so a restart does not
 * act on the same value twice).
 *
 * @param value the annotation value answered
 * @param at when the state last changed
 */
public record RequestAnswer(
    Requests.Kind kind, String value, State state, String message, Instant at) {

  public enum State {
    InProgress,
    Done,
    Refused
  }

  public static RequestAnswer inProgress(
      Requests.Kind kind, String value, String message, Instant at) {
    return new RequestAnswer(kind, value, State.InProgress, message, at);
  }

  public static RequestAnswer done(Requests.Kind kind, String value, String message, Instant at) {
    return new RequestAnswer(kind, value, State.Done, message, at);
  }

  public static RequestAnswer refused(
      Requests.Kind kind, String value, String message, Instant at) {
    return new RequestAnswer(kind, value, State.Refused, message, at);
  }
}
