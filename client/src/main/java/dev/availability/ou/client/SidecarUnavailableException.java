package dev.availability.ou.client;

/**
 * The sidecar cannot be reached, or the connection broke. The outcome of writes in flight is unknown:
 * they were not acknowledged.
 */
public class SidecarUnavailableException extends OuException {
  public SidecarUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
