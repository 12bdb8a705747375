package dev.availability.ou.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SidecarHeapTest {
  @Test
  void theHeapGrowsTwiceAsFastAsTheState() {
    assertThat(SidecarHeap.forStateMiB(23)).isEqualTo(64); // the sidecar's default heap
    assertThat(SidecarHeap.forStateMiB(100)).isEqualTo(218);
    assertThat(SidecarHeap.forStateMiB(101)).isEqualTo(220);
  }

  @Test
  void aSmallStateStillGetsRoomForBursts() {
    assertThat(SidecarHeap.forStateMiB(0)).isEqualTo(SidecarHeap.MIN_MIB);
    assertThat(SidecarHeap.forStateMiB(7)).isEqualTo(32);
    assertThat(SidecarHeap.forStateMiB(8)).isEqualTo(34); // bench/replication's 1,920 keys of 4 KiB
  }

  @Test
  void aStartedMiBCounts() {
    assertThat(SidecarHeap.forStateBytes(23L << 20)).isEqualTo(64L << 20);
    assertThat(SidecarHeap.forStateBytes((23L << 20) + 1)).isEqualTo(66L << 20);
  }

  @Test
  void aPoolAddsEachUnitsOverheadOnceToTwiceTheirStateTogether() {
    assertThat(SidecarHeap.forPoolMiB(23, 1)).isEqualTo(SidecarHeap.forStateMiB(23));
    // three units of 4 MiB: one young generation, three overheads, twice the 12 MiB
    assertThat(SidecarHeap.forPoolMiB(12, 3)).isEqualTo(10 + 3 * 8 + 24);
    assertThat(SidecarHeap.forPoolMiB(0, 3)).isEqualTo(34);
    assertThat(SidecarHeap.forPoolStateBytes((12L << 20) + 1, 3)).isEqualTo(60L << 20);
  }

  @Test
  void aNegativeStateIsRefused() {
    assertThatThrownBy(() -> SidecarHeap.forStateMiB(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1 MiB");
  }
}
