package dev.availability.ou.sidecar;

import java.util.List;

/**
 * The stimuli the operator quarantined (both copies of the application failed on them), as the member's last
 * assignment lists them: the local API marks them in IN_FLIGHT so the application settles them instead of
 * reprocessing them. Empty under standalone control.
 */
final class QuarantinedStimuli {
  private volatile List<String> ids = List.of();

  void set(List<String> quarantined) {
    ids = quarantined == null ? List.of() : List.copyOf(quarantined);
  }

  boolean contains(String id) {
    return ids.contains(id);
  }

  List<String> ids() {
    return ids;
  }
}
