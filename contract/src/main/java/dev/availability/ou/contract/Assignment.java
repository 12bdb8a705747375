package dev.availability.ou.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What the operator tells a member: its role, the epoch it serves at and its peer. A sidecar acts on an
 * assignment only if its epoch is not older than the newest it has seen.
 *
 * @param role the member's role
 * @param epoch the promotion generation the role belongs to
 * @param peer the other member's pod name, or null when the unit has none right now
 * @param mode the replication mode (Synchronous, Asynchronous, Journal)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Assignment(Role role, long epoch, String peer, String mode) {

  public static Assignment fromJson(String json) {
    Map<String, Object> m = Json.record(json, "Assignment");
    return new Assignment(Json.enumValue(m, "role", Role.class, "Assignment"), Json.primitiveLong(m, "epoch", "Assignment"),
        Json.string(m, "peer", "Assignment"), Json.string(m, "mode", "Assignment"));
  }

  public String toJson() {
    return Json.write(Json.fields("role", role, "epoch", epoch, "peer", peer, "mode", mode));
  }
}
