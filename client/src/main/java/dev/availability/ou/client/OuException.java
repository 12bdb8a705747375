package dev.availability.ou.client;

/** Base of everything the client library throws. Unchecked. */
public class OuException extends RuntimeException {
  public OuException(String message) {
    super(message);
  }

  public OuException(String message, Throwable cause) {
    super(message, cause);
  }
}
