package dev.availability.ou.replication;

/** Input that breaks the protocol or a stored format; carries a typed reason. Nothing of it is applied. */
public class ProtocolException extends Exception {
  private final Refusal reason;

  public ProtocolException(Refusal reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Refusal reason() {
    return reason;
  }
}
