package dev.availability.ou.operator;

import dev.availability.ou.failover.Action;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The decider's actions in the order they must run, as batches whose actions may run at once: consecutive assignments
 * of distinct pods (each one patch of its own pod, none reading another's result). A failover's promotion deposes the
 * former primary and promotes the target; sent together they cost one API round trip instead of two, on the path that
 * decides how long clients wait. Everything else (the Lease before the assignments, the Service after the target took
 * its promotion, a pod created after the status names it) keeps its place, alone in its batch. Pure.
 */
final class ActionBatches {
  private ActionBatches() {}

  static List<List<Action>> of(List<Action> actions) {
    List<List<Action>> batches = new ArrayList<>();
    List<Action> assigns = new ArrayList<>();
    Set<String> pods = new HashSet<>();
    for (Action a : actions) {
      if (a instanceof Action.Assign as && pods.add(as.pod())) {
        assigns.add(a);
        continue;
      }
      if (!assigns.isEmpty()) batches.add(List.copyOf(assigns));
      assigns.clear();
      pods.clear();
      if (a instanceof Action.Assign as) {
        assigns.add(a); // a second assignment of the same pod starts a batch of its own
        pods.add(as.pod());
      } else {
        batches.add(List.of(a));
      }
    }
    if (!assigns.isEmpty()) batches.add(List.copyOf(assigns));
    return batches;
  }
}
