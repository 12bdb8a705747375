package dev.availability.ou.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FencedMembersTest {
  @Test
  void addsAndRemovesOneMemberKeepingTheOthersInOrder() {
    assertThat(FencedMembers.with(null, "kv-1")).isEqualTo("kv-1");
    assertThat(FencedMembers.with("kv-0", "kv-1")).isEqualTo("kv-0,kv-1");
    assertThat(FencedMembers.with("kv-0, kv-1", "kv-1")).isEqualTo("kv-0,kv-1");
    assertThat(FencedMembers.without("kv-0,kv-1,kv-2", "kv-1")).isEqualTo("kv-0,kv-2");
    assertThat(FencedMembers.without("kv-1", "kv-1")).isEmpty();
    assertThat(FencedMembers.parse(" kv-0 ,,kv-0, kv-3 ")).containsExactly("kv-0", "kv-3");
  }

  @Test
  void agesReadLikeKubectls() {
    assertThat(Ages.of(850L)).isEqualTo("850ms");
    assertThat(Ages.of(1_500L)).isEqualTo("1.5s");
    assertThat(Ages.of(5_000L)).isEqualTo("5s");
    assertThat(Ages.of(42_000L)).isEqualTo("42s");
    assertThat(Ages.of(200_000L)).isEqualTo("3m20s");
    assertThat(Ages.of(7_500_000L)).isEqualTo("2h5m");
    assertThat(Ages.of(null)).isEqualTo("-");
  }
}
