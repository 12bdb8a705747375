package dev.availability.ou.sidecar;

import java.util.Locale;

/**
 * OU_STREAM_ENCRYPTION: {@code aes-256-gcm} (the default) seals every replication frame after the
 * handshake; {@code none} sends them in plaintext (the peers still authenticate each other), for networks
 * that encrypt pod traffic already. Both members of a unit must be set alike; the operator sets it from
 * {@code spec.replication.encryptStream}.
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
