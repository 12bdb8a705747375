package dev.availability.ou.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodNetworkTest {

  @Test
  void aFreedAddressIsNotGivenAgainUntilTheOthersWereUsed() {
    PodNetwork net = new PodNetwork(231);
    String a = net.allocate(1);
    String b = net.allocate(1);
    assertThat(a).isEqualTo("10.231.2.2");
    assertThat(b).isEqualTo("10.231.2.3");
    net.release(a);
    assertThat(net.allocate(1))
        .as("the next address, not the one just freed")
        .isEqualTo("10.231.2.4");
    assertThat(net.allocate(0)).as("each node counts on its own").isEqualTo("10.231.1.2");
  }

  @Test
  void allocationWrapsAroundToFreedAddressesAndSaysWhenNoneIsLeft() {
    PodNetwork net = new PodNetwork(231);
    Set<String> given = new HashSet<>();
    for (int i = 2; i <= 254; i++) given.add(net.allocate(0));
    assertThat(given).hasSize(253);
    net.release("10.231.1.7");
    assertThat(net.allocate(0)).isEqualTo("10.231.1.7");
    assertThatThrownBy(() -> net.allocate(0)).hasMessageContaining("no pod address left");
  }
}
