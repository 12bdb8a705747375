package dev.availability.ou.client;

/**
 * Synchronous or journal mode: no standby made the write durable within the sidecar's timeout, so it was
 * not acknowledged (it stays in the primary's log and may still reach the standby later).
 */
public class StandbyUnavailableException extends OuException {
  public StandbyUnavailableException(String message) {
    super(message);
  }
}
