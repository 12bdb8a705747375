package dev.availability.ou.memberapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One watch of a pool's pod feeds every unit's channel; units subscribe and leave as the pod changes. */
class SharedPodWatchTest {
  static final String POD = "kv-standby-0";

  /** The api's watches: each one's listener, to push pod changes through. */
  final List<Consumer<MemberApi.PodMeta>> watches = new ArrayList<>();

  final Map<String, String> annotations = new HashMap<>();

  final MemberApi api = new PodReadingApi() {
    @Override
    public AutoCloseable watchPod(
        String name, Consumer<PodMeta> onPod, Consumer<String> onTrouble) {
      watches.add(onPod);
      onPod.accept(pod());
      return () -> watches.remove(onPod);
    }

    @Override
    public PodMeta getPod(String name) {
      return null;
    }
  };

  MemberApi.PodMeta pod() {
    return new MemberApi.PodMeta(POD, Map.of(), annotations);
  }

  void assign(String unit, Role role, long epoch) {
    annotations.put(
        ContractKeys.assignmentAnnotation(unit),
        ContractJson.toJson(new Assignment(role, epoch, null, "Synchronous")));
    List.copyOf(watches).forEach(w -> w.accept(pod()));
  }

  @Test
  void unitsJoiningOnAChangeHearThePodAtOnceAndEachHearsOnlyItsOwnAssignment() {
    SharedPodWatch shared = new SharedPodWatch(api, POD);
    Map<String, MemberChannel> channels = new HashMap<>();
    Map<String, List<Assignment>> seen = new HashMap<>();
    // The pool's listener: a unit whose assignment appears joins, with a channel on the one watch.
    shared.start(
        p -> p.annotations().keySet().stream()
            .map(ContractKeys::unitOfAssignmentAnnotation)
            .filter(u -> u != null && !channels.containsKey(u))
            .toList()
            .forEach(u -> {
              MemberChannel c = new MemberChannel(
                  shared.unitApi(), POD, u, Clock.systemUTC(), Duration.ofSeconds(10));
              channels.put(u, c);
              c.onAssignment(seen.computeIfAbsent(u, x -> new ArrayList<>())::add);
            }),
        trouble -> {});
    assertThat(shared.last()).isNotNull();

    assign("shard-a", Role.Standby, 1);
    assertThat(seen.get("shard-a")).extracting(Assignment::epoch).containsExactly(1L);
    assign("shard-b", Role.Standby, 4);
    assign("shard-a", Role.Primary, 2);
    assertThat(watches).as("one watch of the pod for every unit").hasSize(1);
    assertThat(shared.subscribers()).isEqualTo(2);
    assertThat(seen.get("shard-a"))
        .extracting(Assignment::role, Assignment::epoch)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Role.Standby, 1L),
            org.assertj.core.groups.Tuple.tuple(Role.Primary, 2L));
    assertThat(seen.get("shard-b")).extracting(Assignment::epoch).containsExactly(4L);

    // A unit that leaves hears no more; the others still do; closing the pool ends the one watch.
    channels.get("shard-b").close();
    assertThat(shared.subscribers()).isEqualTo(1);
    assign("shard-b", Role.Standby, 5);
    assign("shard-a", Role.Primary, 3);
    assertThat(seen.get("shard-b")).extracting(Assignment::epoch).containsExactly(4L);
    assertThat(seen.get("shard-a")).extracting(Assignment::epoch).containsExactly(1L, 2L, 3L);
    shared.close();
    assertThat(watches).isEmpty();
  }
}
