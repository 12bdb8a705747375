package dev.availability.ou.sidecar;

import java.util.List;

/**
 * The units this member's unit depends on that are unavailable now, as the member's last assignment lists them (the
 * operator's DependencyWatch): the local API tells the application at once (a WATCH event) and on asking
 * (DEPENDENCIES), so it can run degraded. Empty under standalone control until an ASSIGN lists some.
 */
final class UnavailableDependencies {
  private volatile List<String> names = List.of();

  /** Whether {@code unavailable} differs from the names held until now (null: none). */
  synchronized boolean set(List<String> unavailable) {
    List<String> next = unavailable == null ? List.of() : List.copyOf(unavailable);
    if (next.equals(names)) return false;
    names = next;
    return true;
  }

  List<String> names() {
    return names;
  }

  /** The reason a WATCH event gives for a change of them. */
  String reason() {
    List<String> n = names;
    return n.isEmpty()
        ? "every dependency is available"
        : "dependencies unavailable: " + String.join(", ", n);
  }
}
