package dev.availability.ou.client;

import java.util.Map;

/**
 * What the sidecar reports about itself (see docs/sidecar-api.md for every field).
 *
 * @param fields all fields as text, for forward compatibility
 */
public record SidecarStatus(Map<String, String> fields) {
  public MemberRole role() {
    return MemberRole.valueOf(fields.getOrDefault("role", "UNASSIGNED"));
  }

  public long epoch() {
    return number("epoch");
  }

  public String mode() {
    return fields.get("mode");
  }

  public long lastSeq() {
    return number("lastSeq");
  }

  public long durableSeq() {
    return number("durableSeq");
  }

  public boolean inSync() {
    return Boolean.parseBoolean(fields.get("inSync"));
  }

  /** A numeric field, 0 when absent. */
  public long number(String name) {
    String v = fields.get(name);
    return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
  }
}
