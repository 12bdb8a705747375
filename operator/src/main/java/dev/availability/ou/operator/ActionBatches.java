package dev.availability.ou.operator;

import dev.availability.ou.failover.Action;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The decider's actions in the order they must run, as batches whose actions may run at once: consecutive assignments
 * and creations of distinct pods (each one write of its own pod, none reading another's result). A failover's
 * promotion deposes the former primary, promotes the target and creates the standby that will follow it; sent
 * together they cost one API round trip instead of three, on the path that decides how long clients wait. Everything
 * else (the Lease before the assignments, the Service after the target took its promotion, a pod created after the
 * status names it, which the decision's persisting the state first sees to) keeps its place, alone in its batch. Pure.
 */
final class ActionBatches {
  private ActionBatches() {}

  static List<List<Action>> of(List<Action> actions) {
    List<List<Action>> batches = new ArrayList<>();
    List<Action> together = new ArrayList<>();
    Set<String> pods = new HashSet<>();
    for (Action a : actions) {
      String pod = podWritten(a);
      if (pod != null && pods.add(pod)) {
        together.add(a);
        continue;
      }
      if (!together.isEmpty()) batches.add(List.copyOf(together));
      together.clear();
      pods.clear();
      if (pod != null) {
        together.add(a); // a second write of the same pod starts a batch of its own
        pods.add(pod);
      } else {
        batches.add(List.of(a));
      }
    }
    if (!together.isEmpty()) batches.add(List.copyOf(together));
    return batches;
  }

  /** The pod an assignment or a creation writes; null for any other action. */
  private static String podWritten(Action a) {
    return switch (a) {
      case Action.Assign as -> as.pod();
      case Action.CreateMember c -> c.pod();
      default -> null;
    };
  }
}
