package dev.availability.ou.failover.pool;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A standby pool at one moment: the units that name it, in the order they joined (creation time, then
 * name), its capacity, and its pods.
 */
public record PoolView(String name, int maxUnits, List<String> units, List<SharedPod> pods) {

  public PoolView {
    if (maxUnits < 1) throw new IllegalArgumentException("maxUnits must be at least 1");
    units = List.copyOf(units);
    pods = List.copyOf(pods);
  }

  /** The units the shared standby holds: the first {@code maxUnits} to join. */
  public List<String> admitted() {
    return units.subList(0, Math.min(units.size(), maxUnits));
  }

  /** The units beyond capacity: each keeps a dedicated standby ({@code PoolFull}). */
  public List<String> overflow() {
    return units.size() <= maxUnits ? List.of() : units.subList(maxUnits, units.size());
  }

  /**
   * The pool's standby: the earliest-made pod that has not failed, that no unit has claimed and that is not
   * retiring. Later ones are surplus (made while an earlier one was thought lost).
   */
  public Optional<SharedPod> standby() {
    return pods.stream()
        .filter(p -> !p.failed() && !p.claimed() && !p.retiring())
        .min(Comparator.comparingInt(SharedPod::ordinal));
  }

  /** The pod unit {@code unit} has taken over, if any. */
  public Optional<SharedPod> claimedBy(String unit) {
    return pods.stream()
        .filter(p -> p.claimedBy().filter(unit::equals).isPresent())
        .findFirst();
  }

  /** The next pod name: one past every ordinal in use, so a name is never reused while its pod lingers. */
  public String nextPodName() {
    int next = pods.stream()
            .mapToInt(SharedPod::ordinal)
            .filter(i -> i != Integer.MAX_VALUE)
            .max()
            .orElse(-1)
        + 1;
    return name + "-standby-" + next;
  }
}
