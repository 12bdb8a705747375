package dev.availability.ou.memberapi;

/**
 * A failed API call of {@link MemberApi}: the HTTP status ({@code 0} when the server was not reached or
 * did not answer) and a message naming the call, the status and what the server said.
 */
public final class MemberApiException extends RuntimeException {
  private final int status;

  public MemberApiException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public MemberApiException(int status, String message) {
    this(status, message, null);
  }

  /** The HTTP status, 0 when there was none (connection refused, timeout, TLS failure). */
  public int status() {
    return status;
  }

  /** 409: the object changed since it was read (an optimistic update lost). */
  public boolean isConflict() {
    return status == 409;
  }
}
