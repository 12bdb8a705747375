package dev.availability.ou.failover;

/** Members are named {@code <unit>-<ordinal>}: the ordinal of a name, and the next one no member has used. */
final class MemberOrdinals {
  private MemberOrdinals() {}

  static long nextOrdinal(Observation o) {
    // (the pool's pods are named after the pool, not the unit: their ordinals are not the unit's)
    long fromPods = o.members().values().stream()
            .filter(m -> o.pool() == null || !o.pool().pods().contains(m.pod()))
            .mapToLong(Member::ordinal)
            .max()
            .orElse(-1)
        + 1;
    return Math.max(o.state().nextOrdinal(), fromPods);
  }

  static long ordinalOf(String pod) {
    return Long.parseLong(pod.substring(pod.lastIndexOf('-') + 1));
  }
}
