package dev.availability.ou.client;

/** The sidecar refused the request as malformed or too large (or forbidden in its configuration). */
public class InvalidRequestException extends OuException {
  public InvalidRequestException(String message) {
    super(message);
  }
}
