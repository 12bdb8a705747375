package dev.availability.ou.failover;

import java.util.Set;

/**
 * The unit's client Service.
 *
 * @param selectedMember the member its selector pins, or null when the Service does not exist yet
 * @param endpointMembers members its EndpointSlices list (ready or not)
 */
public record ServiceView(String selectedMember, Set<String> endpointMembers) {
  public static ServiceView absent() {
    return new ServiceView(null, Set.of());
  }
}
