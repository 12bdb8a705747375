package dev.availability.ou.operator;

/** The unit asks for something the API server refuses; reported as condition reason InvalidSpec. */
final class InvalidSpecException extends RuntimeException {
  InvalidSpecException(String message, Throwable cause) {
    super(message, cause);
  }

  InvalidSpecException(String message) {
    super(message);
  }
}
