package dev.availability.ou.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SidecarHeapTest {
  @Test
  void theHeapGrowsTwoAndAHalfTimesAsFastAsTheState() {
    assertThat(SidecarHeap.forStateMiB(8)).isEqualTo(34); // bench/replication's 1,920 keys of 4 KiB
    assertThat(SidecarHeap.forStateMiB(20)).isEqualTo(64); // the sidecar's default heap
    assertThat(SidecarHeap.forStateMiB(100)).isEqualTo(264);
    assertThat(SidecarHeap.forStateMiB(101)).isEqualTo(267); // half MiBs round up
  }

  @Test
  void aSmallStateStillGetsRoomForBursts() {
    assertThat(SidecarHeap.forStateMiB(0)).isEqualTo(SidecarHeap.MIN_MIB);
    assertThat(SidecarHeap.forStateMiB(7)).isEqualTo(32);
  }

  @Test
  void aNegativeStateIsRefused() {
    assertThatThrownBy(() -> SidecarHeap.forStateMiB(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1 MiB");
  }
}
