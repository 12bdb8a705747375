package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.ConditionView;
import dev.availability.ou.failover.Member;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarMemoryConditionTest {
  static final long MIB = 1 << 20;

  static Member member(String pod, Member.Memory memory) {
    Member.Report report = new Member.Report(Member.Role.Standby, 2, 10, 0L, true, false, 5L, true, Instant.EPOCH, memory);
    return new Member(pod, 1, "node-a", Member.Role.Standby, 2, "kv-0", Member.PodPhase.Running, true, Instant.EPOCH,
        Member.AppContainer.running(0), null, false, "hash", report);
  }

  @Test
  void falseWhileEveryHeapHoldsItsState() {
    ConditionView c = SidecarMemoryCondition.of(List.of(member("kv-0", new Member.Memory(10 * MIB, 64 * MIB, false)), member("kv-1", null)));
    assertThat(c.type().name()).isEqualTo("SidecarMemoryPressure");
    assertThat(c.status()).isFalse();
    assertThat(c.reason()).isEqualTo("StateFitsHeap");
  }

  @Test
  void trueWithEachPressedMemberAndTheStateMemoryToDeclare() {
    ConditionView c = SidecarMemoryCondition.of(List.of(
        member("kv-1", new Member.Memory(30 * MIB, 64 * MIB, true)),
        member("kv-0", new Member.Memory(29 * MIB, 64 * MIB, true)),
        member("kv-2", new Member.Memory(5 * MIB, 64 * MIB, false))));
    assertThat(c.status()).isTrue();
    assertThat(c.reason()).isEqualTo("StateOutgrowsHeap");
    assertThat(c.message()).isEqualTo("kv-0 holds 29 MiB of state in a 64 MiB heap that needs 76 MiB; kv-1 holds 30 MiB of state in a"
        + " 64 MiB heap that needs 78 MiB: set spec.replication.stateMemory to 38Mi or more before rewriting runs it out of memory");
  }
}
