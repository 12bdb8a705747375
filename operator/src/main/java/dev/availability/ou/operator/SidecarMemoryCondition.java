package dev.availability.ou.operator;

import dev.availability.ou.contract.SidecarHeap;
import dev.availability.ou.failover.ConditionReason;
import dev.availability.ou.failover.ConditionType;
import dev.availability.ou.failover.ConditionView;
import dev.availability.ou.failover.Member;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The unit's {@code SidecarMemoryPressure} condition: True while a member's sidecar reports that its
 * state needs more heap than it has, so rewriting will run it out of memory (the sidecar then exits
 * and restarts). The message names the {@code spec.replication.stateMemory} that sizes it right.
 */
final class SidecarMemoryCondition {
  private static final long MIB = 1 << 20;

  private SidecarMemoryCondition() {}

  static ConditionView of(Collection<Member> members) {
    List<String> pressed = new ArrayList<>();
    long largestState = 0;
    for (Member m : members.stream().sorted(Comparator.comparing(Member::pod)).toList()) {
      Member.Memory mem = m.report() == null ? null : m.report().memory();
      if (mem == null || !mem.heapTooSmall()) continue;
      largestState = Math.max(largestState, mem.stateBytes());
      pressed.add(String.format(Locale.ROOT, "%s holds %d MiB of state in a %d MiB heap that needs %d MiB", m.pod(),
          SidecarHeap.ceilMiB(mem.stateBytes()), SidecarHeap.ceilMiB(mem.heapMaxBytes()), SidecarHeap.forStateBytes(mem.stateBytes()) / MIB));
    }
    if (pressed.isEmpty()) return new ConditionView(ConditionType.SidecarMemoryPressure, false, ConditionReason.StateFitsHeap, "every member's sidecar heap holds its state");
    return new ConditionView(ConditionType.SidecarMemoryPressure, true, ConditionReason.StateOutgrowsHeap, String.join("; ", pressed) + ": set spec.replication.stateMemory to "
        + SidecarHeap.stateMemoryToDeclareMiB(largestState) + "Mi or more before rewriting runs it out of memory");
  }
}
