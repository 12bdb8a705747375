package dev.availability.ou.failover;

import java.time.Duration;
import java.time.Instant;

/** The unit's primary lease: held by the primary's sidecar, which fences itself when it cannot renew. */
public record PrimaryLease(String holder, long epoch, Instant renewedAt, Duration duration) {
  public Instant expiresAt() {
    return renewedAt == null ? null : renewedAt.plus(duration);
  }
}
