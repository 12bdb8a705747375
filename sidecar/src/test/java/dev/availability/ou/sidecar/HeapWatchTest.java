package dev.availability.ou.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.SidecarHeap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeapWatchTest {
  static final long MIB = 1 << 20;
  final ByteArrayOutputStream log = new ByteArrayOutputStream();
  PrintStream stderr;

  @BeforeEach
  void captureLog() {
    stderr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreLog() {
    System.setErr(stderr);
  }

  @Test
  void theHeapANamedStateNeedsFollowsTheOperatorsSizing() {
    assertThat(SidecarHeap.forStateBytes(0)).isEqualTo(32 * MIB);
    assertThat(SidecarHeap.forStateBytes(23 * MIB)).isEqualTo(64 * MIB);
    assertThat(SidecarHeap.forStateBytes(23 * MIB + 1)).isEqualTo(66 * MIB); // a started MiB counts
  }

  @Test
  void warnsOnceWhenTheStateOutgrowsTheHeapAndSaysWhenItFitsAgain() {
    AtomicLong state = new AtomicLong(10 * MIB);
    Counters counters = new Counters();
    HeapWatch watch = new HeapWatch(
        state::get, () -> 1234, 63 * MIB, counters); // -Xmx64m, less one survivor space

    watch.check();
    assertThat(watch.tooSmall()).isFalse();
    state.set(23 * MIB); // needs 64 MiB: still fits
    watch.check();
    assertThat(watch.tooSmall()).isFalse();

    state.set(30 * MIB); // needs 78 MiB
    watch.check();
    watch.check();
    assertThat(watch.tooSmall()).isTrue();
    assertThat(counters.get("heapTooSmallWarnings")).isEqualTo(1);
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains(
            "WARN",
            "30 MiB (1234 keys)",
            "needs a 78 MiB heap",
            "has 64 MiB",
            "spec.replication.stateMemory: 38Mi or more");

    state.set(5 * MIB);
    watch.check();
    assertThat(watch.tooSmall()).isFalse();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("fits the heap again");
    state.set(40 * MIB);
    watch.check();
    assertThat(counters.get("heapTooSmallWarnings")).isEqualTo(2);
  }

  @Test
  void aSharedStandbyCountsEachUnitsOverheadAndAdvisesMemoryForThePool() {
    AtomicLong state = new AtomicLong(20 * MIB); // one unit's sidecar would need 58 MiB: it fits 64
    Counters counters = new Counters();
    HeapWatch watch = new HeapWatch(state::get, () -> 3000, () -> 3, 63 * MIB, counters);
    watch.check();
    assertThat(watch.neededBytes()).isEqualTo((10 + 3 * 8 + 40) * MIB);
    assertThat(watch.tooSmall()).isTrue();
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains(
            "the 3 units of this shared standby hold 20 MiB", "needs a 74 MiB heap", "has 64 MiB")
        .doesNotContain("spec.replication.stateMemory");
  }
}
