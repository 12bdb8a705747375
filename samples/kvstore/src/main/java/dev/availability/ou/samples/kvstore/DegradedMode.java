package dev.availability.ou.samples.kvstore;

import dev.availability.ou.client.RoleChange;
import java.util.List;

/**
 * The store's degraded mode: while a unit it depends on ({@code spec.dependsOn}) is unavailable, as the sidecar tells
 * it (the WATCH stream: {@link RoleChange#unavailableDependencies()}), it still serves reads but refuses writes, which
 * in this sample all need the dependency, with a 503 that names it. {@code /status} shows the mode.
 */
final class DegradedMode {
  private DegradedMode() {}

  /** Thrown instead of a write while degraded; its message is the answer's body. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** Refuses a write while {@code role} lists unavailable dependencies. */
  static void check(RoleChange role) {
    List<String> down = role == null ? List.of() : role.unavailableDependencies();
    if (down.isEmpty()) return;
    throw new Refused("degraded: " + (down.size() == 1 ? "dependency " : "dependencies ")
        + String.join(", ", down) + (down.size() == 1 ? " is" : " are")
        + " unavailable (no serving primary); reads are served, writes that need it are refused until"
        + " it returns");
  }

  /** The {@code /status} fields: {@code "degraded":…,"unavailableDependencies":[…]}. */
  static String statusJson(RoleChange role) {
    List<String> down = role == null ? List.of() : role.unavailableDependencies();
    StringBuilder b = new StringBuilder("\"degraded\":").append(!down.isEmpty());
    b.append(",\"unavailableDependencies\":[");
    for (int i = 0; i < down.size(); i++)
      b.append(i == 0 ? "" : ",").append(Json.string(down.get(i)));
    return b.append(']').toString();
  }
}
