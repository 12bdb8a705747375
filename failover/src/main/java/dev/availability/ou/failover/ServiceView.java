package dev.availability.ou.failover;

import java.util.Set;

/**
 * The unit's client Service.
 *
 * @param selectedMember the member its selector pins, or null when the Service does not exist yet
 * @param endpointMembers members its EndpointSlices list (ready or not)
 */
public record ServiceView(String selectedMember, Set<String> endpointMembers) {
  /**
   * The member a Service selects when it must select no pod (the primary fenced, none to take over): every member
   * carries its own name in the member label, so an empty value matches none.
   */
  public static final String NOBODY = "";

  public static ServiceView absent() {
    return new ServiceView(null, Set.of());
  }
}
