package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Emit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SidecarMemoryTest {
  static final long MIB = 1 << 20;

  static Member member(String pod, Member.Memory memory) {
    Member.Report report = new Member.Report(
        Member.Role.Standby,
        2,
        10,
        0L,
        true,
        false,
        5L,
        true,
        Instant.EPOCH,
        memory,
        null,
        null,
        null);
    return new Member(
        pod,
        1,
        "node-a",
        Member.Role.Standby,
        2,
        "kv-0",
        Member.PodPhase.Running,
        true,
        Instant.EPOCH,
        Member.AppContainer.running(0),
        null,
        false,
        "hash",
        report,
        null,
        null);
  }

  /** The sizes are the contract's (SidecarHeap), worked out by the operator where it reads the report. */
  static Member.Memory memory(
      long stateMiB, long heapMiB, boolean tooSmall, long neededMiB, long toDeclareMiB) {
    return new Member.Memory(
        stateMiB * MIB, heapMiB * MIB, tooSmall, neededMiB * MIB, toDeclareMiB);
  }

  @Test
  void falseWhileEveryHeapHoldsItsState() {
    ConditionView c = SidecarMemory.condition(
        List.of(member("kv-0", memory(10, 64, false, 38, 13)), member("kv-1", null)));
    assertThat(c.type().name()).isEqualTo("SidecarMemoryPressure");
    assertThat(c.status()).isFalse();
    assertThat(c.reason()).isEqualTo("StateFitsHeap");
  }

  @Test
  void trueWithEachPressedMemberAndTheStateMemoryToDeclare() {
    ConditionView c = SidecarMemory.condition(List.of(
        member("kv-1", memory(30, 64, true, 78, 38)),
        member("kv-0", memory(29, 64, true, 76, 37)),
        member("kv-2", memory(5, 64, false, 32, 7))));
    assertThat(c.status()).isTrue();
    assertThat(c.reason()).isEqualTo("StateOutgrowsHeap");
    assertThat(c.message())
        .isEqualTo(
            "kv-0 holds 29 MiB of state in a 64 MiB heap that needs 76 MiB; kv-1 holds 30 MiB of state in a"
                + " 64 MiB heap that needs 78 MiB: set spec.replication.stateMemory to 38Mi or more before rewriting runs it out of memory");
  }

  @Test
  void aWarningEventWhenThePressureStartsCarryingTheConditionsMessage() {
    Observation o = observation(memory(30, 64, true, 78, 38), Set.of());
    Decision d = SidecarMemory.apply(o, steady());

    ConditionView c = d.conditions().stream()
        .filter(x -> x.type() == ConditionType.SidecarMemoryPressure)
        .findFirst()
        .orElseThrow();
    assertThat(c.status()).isTrue();
    assertThat(d.actions())
        .containsExactly(new Emit(EventReason.SidecarMemoryPressure, c.message(), true));
  }

  @Test
  void noEventWhileTheStatusAlreadyShowsThePressureNorWithoutPressure() {
    assertThat(SidecarMemory.apply(
                observation(
                    memory(30, 64, true, 78, 38), Set.of(ConditionType.SidecarMemoryPressure)),
                steady())
            .actions())
        .isEmpty();
    assertThat(SidecarMemory.apply(observation(memory(10, 64, false, 38, 13), Set.of()), steady())
            .actions())
        .isEmpty();
  }

  @Test
  void theDeciderAddsTheConditionAndTheEventWhateverTheStep() {
    Decision d = new FailoverDecider().decide(observation(memory(30, 64, true, 78, 38), Set.of()));
    assertThat(d.conditions())
        .filteredOn(c -> c.type() == ConditionType.SidecarMemoryPressure)
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isTrue());
    assertThat(d.actions())
        .filteredOn(a -> a instanceof Emit e && e.reason() == EventReason.SidecarMemoryPressure)
        .hasSize(1);
  }

  private static Decision steady() {
    return new Decision(UnitState.initial(), Phase.Protected, List.of(), List.of(), false, null);
  }

  private static Observation observation(
      Member.Memory standbyMemory, Set<ConditionType> shownTrue) {
    UnitPolicy policy = new UnitPolicy(
        "kv", UnitPolicy.Mode.Synchronous, true, Duration.ofSeconds(5), null, false, "hash");
    return new Observation(
        policy,
        UnitState.initial(),
        Map.of("kv-1", member("kv-1", standbyMemory)),
        Map.of(),
        null,
        ServiceView.absent(),
        Instant.EPOCH,
        shownTrue);
  }
}
