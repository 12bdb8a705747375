package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The unit's SidecarMemoryPressure condition and its event: True while a member's sidecar reports that its state needs
 * more heap than it has, so rewriting will run it out of memory (the sidecar then exits and restarts). The message names
 * the {@code spec.replication.stateMemory} that sizes it right. A warning only: nothing fails over for it.
 */
final class SidecarMemory {
  private static final long MIB = 1 << 20;

  private SidecarMemory() {}

  /**
   * {@code d} with the condition added, and a Warning event when the pressure starts (the status did not show it). Added
   * whatever the step, after {@link Pause}: it reports and holds nothing, as it did before the core decided it.
   */
  static Decision apply(Observation o, Decision d) {
    ConditionView c = condition(o.members().values());
    List<ConditionView> conditions = new ArrayList<>(d.conditions());
    conditions.add(c);
    List<Action> actions = d.actions();
    if (c.status() && !o.shownTrue().contains(ConditionType.SidecarMemoryPressure)) {
      actions = new ArrayList<>(actions);
      actions.add(new Emit(EventReason.SidecarMemoryPressure, c.message(), true));
    }
    return new Decision(
        d.state(), d.phase(), conditions, actions, d.persistStateFirst(), d.recheckAfter());
  }

  static ConditionView condition(Iterable<Member> members) {
    List<String> pressed = new ArrayList<>();
    long toDeclare = 0;
    List<Member> byPod = new ArrayList<>();
    members.forEach(byPod::add);
    byPod.sort(Comparator.comparing(Member::pod));
    for (Member m : byPod) {
      Member.Memory mem = m.report() == null ? null : m.report().memory();
      if (mem == null || !mem.heapTooSmall()) continue;
      toDeclare = Math.max(toDeclare, mem.stateMemoryToDeclareMiB());
      pressed.add(String.format(
          Locale.ROOT,
          "%s holds %d MiB of state in a %d MiB heap that needs %d MiB",
          m.pod(),
          ceilMiB(mem.stateBytes()),
          ceilMiB(mem.heapMaxBytes()),
          mem.heapNeededBytes() / MIB));
    }
    if (pressed.isEmpty()) {
      return new ConditionView(
          ConditionType.SidecarMemoryPressure,
          false,
          ConditionReason.StateFitsHeap,
          "every member's sidecar heap holds its state");
    }
    return new ConditionView(
        ConditionType.SidecarMemoryPressure,
        true,
        ConditionReason.StateOutgrowsHeap,
        String.join("; ", pressed) + ": set spec.replication.stateMemory to " + toDeclare
            + "Mi or more before rewriting runs it out of memory");
  }

  private static long ceilMiB(long bytes) {
    return (bytes + MIB - 1) / MIB;
  }
}
