package dev.availability.ou.client;

import java.util.List;

/**
 * A unit this unit depends on became unavailable (no serving primary for longer than its {@code unavailableAfter}) or
 * available again, as the operator told the sidecar. An application runs degraded while any is unavailable: say, it
 * serves reads and refuses the writes that need the dependency.
 *
 * @param dependency the unit's name ({@code spec.dependsOn[].name})
 * @param available whether it is available now
 * @param unavailable every dependency unavailable now, after this change
 */
public record DependencyChange(String dependency, boolean available, List<String> unavailable) {
  public DependencyChange {
    unavailable = List.copyOf(unavailable);
  }
}
