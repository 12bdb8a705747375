package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An assignment known before the pod was read (the sidecar's assignment file) is not delivered again by the watch's
 * first read, and a newer one still is.
 */
class MemberChannelSeedTest {
  final List<Assignment> delivered = new ArrayList<>();

  MemberChannel channelReading(Assignment onThePod) {
    MemberApi api = new PodReadingApi() {
      @Override
      public PodMeta getPod(String name) {
        return new PodMeta(
            name,
            Map.of(ContractKeys.UNIT_LABEL, "kv"),
            Map.of(ContractKeys.ASSIGNMENT_ANNOTATION, ContractJson.toJson(onThePod)));
      }
    };
    return new MemberChannel(api, "kv-2", Clock.systemUTC());
  }

  @Test
  void theSameAssignmentOnThePodIsNotDeliveredTwice() {
    Assignment standby = new Assignment(Role.Standby, 4, "kv-1", "Synchronous");
    MemberChannel channel = channelReading(standby);
    channel.seed(standby);
    channel.onAssignment(delivered::add);
    assertThat(delivered).isEmpty();
    assertThat(channel.assignment()).isEqualTo(standby);
    assertThat(channel.unit()).as("the unit is still learnt from the pod").isEqualTo("kv");
  }

  @Test
  void aNewerAssignmentOnThePodIsDelivered() {
    Assignment newer = new Assignment(Role.Standby, 5, "kv-3", "Synchronous");
    MemberChannel channel = channelReading(newer);
    channel.seed(new Assignment(Role.Standby, 4, "kv-1", "Synchronous"));
    channel.onAssignment(delivered::add);
    assertThat(delivered).containsExactly(newer);
  }

  @Test
  void anOlderAssignmentOnThePodIsNotTaken() {
    Assignment seeded = new Assignment(Role.Standby, 4, "kv-1", "Synchronous");
    MemberChannel channel = channelReading(new Assignment(Role.Standby, 3, "kv-0", "Synchronous"));
    channel.seed(seeded);
    channel.onAssignment(delivered::add);
    assertThat(delivered).isEmpty();
    assertThat(channel.assignment()).isEqualTo(seeded);
  }

  @Test
  void aSeedAfterTheFirstReadChangesNothing() {
    Assignment onThePod = new Assignment(Role.Primary, 6, "kv-1", "Synchronous");
    MemberChannel channel = channelReading(onThePod);
    channel.onAssignment(delivered::add);
    channel.seed(new Assignment(Role.Standby, 4, "kv-1", "Synchronous"));
    assertThat(channel.assignment()).isEqualTo(onThePod);
  }
}
