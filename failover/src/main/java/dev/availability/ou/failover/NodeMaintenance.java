package dev.availability.ou.failover;

import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A drain without a failover. When the primary's node is being emptied (cordoned, or tainted by a drain or a
 * scale-down), the primary moves first: a planned switchover (zero loss) to an in-sync standby on a node that is not
 * being emptied, so the eviction that follows meets a former primary. Until such a standby exists the primary's
 * PodDisruptionBudget refuses the eviction, and the verdict says what the drain waits for. Pure.
 */
public final class NodeMaintenance {
  /** The switchover's reason, in the intent, the history and {@code lastFailover.reason}. */
  public static final String REASON = PromotionReason.Chosen.NodeMaintenance.name();

  /**
   * Taints that announce a node is about to be emptied, with what they say. {@code node.kubernetes.io/unschedulable}
   * is the node controller's mark of a cordoned node ({@code kubectl cordon}, {@code kubectl drain}); the cluster
   * autoscaler taints a node it removes {@code ToBeDeletedByClusterAutoscaler}; Karpenter taints a node it disrupts
   * {@code karpenter.sh/disrupted} (v1) or {@code karpenter.sh/disruption} (before v1). Soft candidates
   * ({@code DeletionCandidateOfClusterAutoscaler}, PreferNoSchedule) are not drains yet and do not count.
   */
  public static final Map<String, String> TAINTS = Map.of(
      "node.kubernetes.io/unschedulable", "cordoned",
      "ToBeDeletedByClusterAutoscaler", "being removed by the cluster autoscaler",
      "karpenter.sh/disrupted", "being disrupted by Karpenter",
      "karpenter.sh/disruption", "being disrupted by Karpenter");

  private NodeMaintenance() {}

  /** What a drain asks of the unit now. */
  public enum Step {
    /** No standby in sync on another node: the PodDisruptionBudget holds the eviction, the drain waits. */
    WAIT,
    /** Ready the standby that will follow the switchover first (create it, or let it start). */
    READY_SUCCESSOR,
    /** Switch over to the target now. */
    SWITCH
  }

  /**
   * What the primary's node being emptied asks for.
   *
   * @param target the in-sync standby to switch over to (null while the drain must wait for one)
   * @param successor the standby readied to follow the switchover, once created
   * @param message why, for the switchover's intent or the Warning event while waiting
   */
  public record Verdict(Step step, Member target, Member successor, String message) {
    public boolean switchNow() {
      return step == Step.SWITCH;
    }
  }

  /** How long a switchover waits for its successor to start before it goes ahead without it. */
  static final Duration SUCCESSOR_WAIT = Duration.ofSeconds(60);

  /**
   * Null when the primary's node is not being emptied; otherwise wait, ready the successor, or switch to
   * {@code standby} now, and why.
   *
   * <p>Before switching, a third member is readied to follow: assigned Standby of the switchover's target, it starts
   * on another node while the target still is a standby, so that the new primary streams to it at once. A Synchronous
   * unit with {@code dataDurability: Required} acknowledges nothing without a standby, and would otherwise wait for a
   * new standby's pod to start after the switch (seconds of outage, the whole drain long). Where none can be placed
   * (unschedulable), or it does not start within {@link #SUCCESSOR_WAIT} of its creation or of the node's cordon, the
   * switchover goes ahead without it.
   */
  public static Verdict judge(Observation o, UnitState s, Member primary, Member standby) {
    NodeView node = primary == null ? null : o.node(primary.node()).orElse(null);
    if (node == null || !node.underMaintenance()) return null;
    String what = "node " + node.name() + " of primary " + primary.pod() + " is "
        + node.maintenance().why();
    String waits =
        ": its PodDisruptionBudget refuses the primary's eviction until a standby is in sync on another node, so the drain waits";
    if (standby == null) return waiting(what + ", but the unit has no standby yet" + waits);
    StandbyAssessment a = StandbyAssessment.of(standby, o);
    if (!a.inSync()) return waiting(what + ", but " + a.why() + waits);
    if (!CandidateRanking.promotable(a, o.policy())) {
      return waiting(what + ", but standby " + standby.pod() + " trails by " + a.lag()
          + " updates, more than maxPromotableLag " + o.policy().maxPromotableLag() + waits);
    }
    if (node.name().equals(standby.node()))
      return waiting(what + ", and standby " + standby.pod() + " shares it" + waits);
    if (!mayReceive(o, standby)) {
      NodeView other = o.node(standby.node()).orElse(null);
      return waiting(what + ", and node " + standby.node() + " of standby " + standby.pod() + " is "
          + (other != null && other.underMaintenance()
              ? other.maintenance().why() + " too"
              : "not ready")
          + waits);
    }
    Member successor = successor(o, s, standby.pod());
    // (a successor that cannot even be created, refused by a quota, is not waited for past the wait
    // either)
    boolean waitedEnough = node.maintenance().since() != null
        && !o.now().isBefore(node.maintenance().since().plus(SUCCESSOR_WAIT));
    if (!waitedEnough && (successor == null || !readyOrHopeless(o, s, successor))) {
      return new Verdict(
          Step.READY_SUCCESSOR,
          standby,
          successor,
          what + ": readying " + (successor == null ? "a standby" : successor.pod())
              + " to follow the switchover to " + standby.pod() + " before the primary is evicted");
    }
    return new Verdict(
        Step.SWITCH,
        standby,
        successor,
        what + ": switching to in-sync standby " + standby.pod() + " on node " + standby.node()
            + " before the primary is evicted"
            + (successor != null && successor.scheduled()
                ? "; " + successor.pod() + " on node " + successor.node()
                    + " follows as its standby"
                : ""));
  }

  private static Verdict waiting(String message) {
    return new Verdict(Step.WAIT, null, null, message);
  }

  /**
   * Creates the successor of {@link Step#READY_SUCCESSOR} (a standby of the switchover's target, kept off its node):
   * adds the actions, returns the state to remember.
   */
  static UnitState readySuccessor(Observation o, UnitState s, Verdict v, List<Action> actions) {
    String name = o.policy().unit() + "-" + MemberOrdinals.nextOrdinal(o);
    Set<String> avoid =
        StandbyPlacement.avoidForStandby(o, s.withPrimary(v.target().pod()), Set.of());
    actions.add(new Action.CreateMember(
        name,
        MemberOrdinals.ordinalOf(name),
        Role.Standby,
        s.epoch(),
        v.target().pod(),
        Set.copyOf(avoid),
        null));
    actions.add(new Action.Emit(
        EventReason.StandbyScheduled,
        v.message().replace("readying a standby", "readying " + name),
        false));
    return s.withNextOrdinal(
        Math.max(MemberOrdinals.nextOrdinal(o), MemberOrdinals.ordinalOf(name) + 1));
  }

  /** The member readied to follow a switchover to {@code target}: not primary nor standby, assigned Standby of the target. */
  static Member successor(Observation o, UnitState s, String target) {
    return o.members().values().stream()
        .filter(m -> !m.pod().equals(s.primary())
            && !m.pod().equals(s.standby())
            && !m.deleting()
            && !m.terminated())
        .filter(m -> m.assignedRole() == Role.Standby && target.equals(m.assignedPeer()))
        .min(java.util.Comparator.comparing(Member::pod))
        .orElse(null);
  }

  /** Whether {@code m} is the successor readied for the switchover the drain of the primary's node asks for: kept. */
  static boolean readiedFor(Observation o, UnitState s, Member m) {
    Member p = o.member(s.primary()).orElse(null);
    boolean draining =
        p != null && o.node(p.node()).map(NodeView::underMaintenance).orElse(false);
    return draining && s.standby() != null && m.equals(successor(o, s, s.standby()));
  }

  /** Its sidecar runs at the unit's epoch (the target will stream to it at once), or it cannot be placed, or waited long enough. */
  private static boolean readyOrHopeless(Observation o, UnitState s, Member m) {
    if (m.unschedulable()) return true;
    if (m.phase() == Member.PodPhase.Running
        && m.report() != null
        && m.report().epoch() >= s.epoch()) return true;
    return m.readySince() != null && !o.now().isBefore(m.readySince().plus(SUCCESSOR_WAIT));
  }

  /** Whether a planned switchover may move service onto {@code m}: its node is not known to be down or being emptied. */
  public static boolean mayReceive(Observation o, Member m) {
    return o.node(m.node()).map(n -> n.healthy() && !n.underMaintenance()).orElse(true);
  }
}
