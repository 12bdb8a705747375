package dev.availability.ou.sidecar;

import java.util.Locale;

/**
 * OU_STREAM_ENCRYPTION: {@code aes-256-gcm} (the default) asks for every replication frame after the
 * handshake to be sealed; {@code none} does not ask (the peers still authenticate each other), for
 * networks that encrypt pod traffic already. A connection is sealed when either member asks; the
 * operator sets it from {@code spec.replication.encryptStream}.
 */
final class StreamEncryption {
  static final String VARIABLE = "OU_STREAM_ENCRYPTION";

  private StreamEncryption() {}

  static boolean sealing(String value) {
    if (value == null || value.isBlank()) return true;
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "aes-256-gcm" -> true;
      case "none" -> false;
      default -> throw new IllegalArgumentException(VARIABLE + " must be aes-256-gcm or none, not " + value);
    };
  }
}
