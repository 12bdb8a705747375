package dev.availability.ou.client;

/** The local sidecar is not the primary (a standby, or not assigned yet): the write was not applied. */
public class NotPrimaryException extends OuException {
  public NotPrimaryException(String message) {
    super(message);
  }
}
