package dev.availability.ou.failover;

import dev.availability.ou.failover.pool.PoolNodes;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the member to promote. Candidates are the healthy members assigned Standby. Eligibility depends
 * on the mode: Synchronous and Journal promote only an in-sync standby (never a stale one); Asynchronous
 * promotes one whose reported lag is within maxPromotableLag (any known lag when that is not set; an
 * unknown lag only when it reports itself in sync). Among the eligible,
 * the best holds the most: in sync first, then the highest durable sequence, the lowest lag, then the
 * newest member.
 */
public final class CandidateRanking {

  /** The candidate, or why there is none. */
  public record Choice(
      Member member,
      StandbyAssessment assessment,
      ConditionReason blockedReason,
      String blockedMessage) {
    public boolean found() {
      return member != null;
    }
  }

  public static final Comparator<Candidate> BEST_FIRST = Comparator.comparing(
          (Candidate c) -> !c.assessment().inSync())
      .thenComparing(c -> -c.assessment().lastDurableSeq())
      .thenComparing(
          c -> c.assessment().lag() == null ? Long.MAX_VALUE : c.assessment().lag())
      .thenComparing(c -> -c.member().ordinal());

  public record Candidate(Member member, StandbyAssessment assessment) {}

  public Choice choose(Observation o) {
    UnitPolicy policy = o.policy();
    String primary = o.state().primary();
    List<Candidate> healthy = o.members().values().stream()
        .filter(m -> !m.pod().equals(primary))
        .filter(m ->
            !Fencing.asked(o, m.pod())) // a fenced member serves nothing, so it is never promoted
        // Only a member assigned Standby: a stray or deposed member may look ready without holding
        // the stream.
        .filter(m -> m.assignedRole() == Member.Role.Standby)
        .map(m -> new Candidate(m, StandbyAssessment.of(m, o)))
        .filter(c -> c.assessment().state() == StandbyAssessment.State.InSync
            || c.assessment().state() == StandbyAssessment.State.CatchingUp)
        .toList();
    if (o.pool() != null) {
      // The pool counts a pod whose node lease expired failed and replaces (deletes) it
      // (PoolNodes):
      // promoting a unit onto it would race that deletion.
      Optional<Candidate> onLostNode =
          healthy.stream().filter(c -> onLostNode(c.member(), o)).findFirst();
      if (onLostNode.isPresent() && healthy.size() == 1) {
        Member m = onLostNode.get().member();
        return new Choice(
            null,
            onLostNode.get().assessment(),
            ConditionReason.NoHealthyStandby,
            "no healthy standby to promote: node " + m.node() + " of the shared standby " + m.pod()
                + " stopped renewing its lease (the pool counts the pod lost and replaces it); waiting for"
                + " the node to return (check it: kubectl get nodes), or for the pool's new shared standby to"
                + " hold this unit in sync");
      }
      healthy = healthy.stream().filter(c -> !onLostNode(c.member(), o)).toList();
      List<Candidate> free = healthy.stream()
          .filter(c -> o.pool().claimedByOther(c.member().pod(), policy.unit()).isEmpty())
          .toList();
      if (free.isEmpty() && !healthy.isEmpty()) {
        String pod = healthy.get(0).member().pod();
        return new Choice(
            null,
            healthy.get(0).assessment(),
            ConditionReason.PoolStandbyBusy,
            "the shared standby " + pod + " of pool " + o.pool().pool() + " serves unit "
                + o.pool().claimedByOther(pod, policy.unit()).orElseThrow()
                + " now (a shared pod serves one unit at a time); not promoted; waiting for the"
                + " pool's new shared standby to hold this unit in sync, or for the primary to return");
      }
      healthy = free;
    }
    if (healthy.isEmpty()) {
      return new Choice(
          null,
          null,
          ConditionReason.NoHealthyStandby,
          "no healthy standby to promote: " + describeStandby(o));
    }
    List<Candidate> eligible = healthy.stream()
        .filter(c -> promotable(c.assessment(), policy))
        .sorted(BEST_FIRST)
        .toList();
    if (eligible.isEmpty()) {
      Candidate best = healthy.stream().sorted(BEST_FIRST).findFirst().orElseThrow();
      if (policy.mode() == UnitPolicy.Mode.Asynchronous) {
        if (best.assessment().lag() == null && policy.maxPromotableLag() == null) {
          return new Choice(
              null,
              best.assessment(),
              ConditionReason.LagUnknown,
              "standby " + best.member().pod() + " does not know how far it trails (it has not"
                  + " heard its primary since it started): it may hold none of the state; not promoted; waiting for the primary to return");
        }
        return new Choice(
            null,
            best.assessment(),
            ConditionReason.LagTooHigh,
            "standby " + best.member().pod() + " trails by "
                + (best.assessment().lag() == null
                    ? "an unknown number of"
                    : best.assessment().lag())
                + " updates, more than maxPromotableLag "
                + policy.maxPromotableLag()
                + ": not promoted; waiting for the primary to return (raise or remove maxPromotableLag to accept the loss)");
      }
      return new Choice(
          null,
          best.assessment(),
          ConditionReason.NoInSyncStandby,
          "standby " + best.member().pod() + " is not in sync and " + policy.mode()
              + " mode never promotes a stale standby; waiting for the primary to return");
    }
    Candidate best = eligible.get(0);
    return new Choice(best.member(), best.assessment(), null, null);
  }

  static boolean promotable(StandbyAssessment a, UnitPolicy policy) {
    if (policy.mode() != UnitPolicy.Mode.Asynchronous) return a.inSync();
    // A standby that does not know how far behind it is (starting, or never heard its primary) may
    // hold none of the state: "any lag" means trailing, not empty (seen in the drills: a new
    // standby promoted 2 s after it was created lost every write).
    if (a.lag() == null) return a.inSync();
    // A streaming asynchronous standby may call itself in sync while it trails: its lag decides.
    return policy.maxPromotableLag() == null || a.lag() <= policy.maxPromotableLag();
  }

  /** A pool's pod on a node the pool counts lost ({@link PoolNodes#lost}: NotReady, or its lease expired). */
  private static boolean onLostNode(Member m, Observation o) {
    return o.pool().pods().contains(m.pod())
        && o.node(m.node()).filter(n -> PoolNodes.lost(n, o.now())).isPresent();
  }

  private static String describeStandby(Observation o) {
    if (Fencing.asked(o, o.state().standby()))
      return "standby " + o.state().standby() + " is fenced (" + Fencing.ANNOTATION + ")";
    String was = Optional.ofNullable(o.state().standby())
        .map(sb -> o.members().containsKey(sb)
            ? StandbyAssessment.of(o.members().get(sb), o).why()
            : "standby " + sb + " is gone")
        .orElse("the unit has no standby");
    String next = o.pool() == null ? null : o.pool().standby();
    if (next == null || next.equals(o.state().standby())) return was;
    // The pool replaced its shared pod while this unit's primary was down: the new one holds the
    // unit but can only catch up from that primary.
    return was + "; pool " + o.pool().pool() + "'s new shared standby " + next
        + " holds this unit but has not caught up with it (it catches up from the primary, which is down)";
  }
}
