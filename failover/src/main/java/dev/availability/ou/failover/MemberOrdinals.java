package dev.availability.ou.failover;

/** Members are named {@code <unit>-<ordinal>}: the ordinal of a name, and the next one no member has used. */
final class MemberOrdinals {
  private MemberOrdinals() {}

  static long nextOrdinal(Observation o) {
    long fromPods =
        o.members().values().stream().mapToLong(Member::ordinal).max().orElse(-1) + 1;
    return Math.max(o.state().nextOrdinal(), fromPods);
  }

  static long ordinalOf(String pod) {
    return Long.parseLong(pod.substring(pod.lastIndexOf('-') + 1));
  }
}
