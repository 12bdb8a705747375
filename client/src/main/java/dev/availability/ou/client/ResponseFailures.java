package dev.availability.ou.client;

import dev.availability.ou.client.SidecarConnection.Response;
import java.nio.charset.StandardCharsets;

/** The exception a sidecar's answer other than OK stands for. */
final class ResponseFailures {
  private ResponseFailures() {}

  static OuException of(Response r) {
    String msg = new String(r.payload(), StandardCharsets.UTF_8);
    return switch (r.status()) {
      case LocalProtocol.NOT_PRIMARY -> new NotPrimaryException(msg);
      case LocalProtocol.FENCED -> new FencedException(msg);
      case LocalProtocol.UNAVAILABLE -> new StandbyUnavailableException(msg);
      case LocalProtocol.BAD_REQUEST, LocalProtocol.TOO_LARGE, LocalProtocol.FORBIDDEN ->
        new InvalidRequestException(msg);
      default -> new OuException("sidecar error " + r.status() + ": " + msg);
    };
  }
}
