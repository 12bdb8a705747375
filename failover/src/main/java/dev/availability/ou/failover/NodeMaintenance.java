package dev.availability.ou.failover;

import java.util.Map;

/**
 * A drain without a failover. When the primary's node is being emptied (cordoned, or tainted by a drain or a
 * scale-down), the primary moves first: a planned switchover (zero loss) to an in-sync standby on a node that is not
 * being emptied, so the eviction that follows meets a former primary. Until such a standby exists the primary's
 * PodDisruptionBudget refuses the eviction, and the verdict says what the drain waits for. Pure.
 */
public final class NodeMaintenance {
  /** The switchover's reason, in the intent, the history and {@code lastFailover.reason}. */
  public static final String REASON = "NodeMaintenance";

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

  /**
   * What the primary's node being emptied asks for.
   *
   * @param target the in-sync standby to switch over to now; null while the drain must wait for one
   * @param message why, for the switchover's intent or the Warning event while waiting
   */
  public record Verdict(Member target, String message) {
    public boolean switchNow() {
      return target != null;
    }
  }

  /** Null when the primary's node is not being emptied; otherwise switch to {@code standby} now, or wait, and why. */
  public static Verdict judge(Observation o, Member primary, Member standby) {
    NodeView node = primary == null ? null : o.node(primary.node()).orElse(null);
    if (node == null || !node.underMaintenance()) return null;
    String what = "node " + node.name() + " of primary " + primary.pod() + " is " + node.maintenance();
    String waits = ": its PodDisruptionBudget refuses the primary's eviction until a standby is in sync on another node, so the drain waits";
    if (standby == null) return new Verdict(null, what + ", but the unit has no standby yet" + waits);
    StandbyAssessment a = StandbyAssessment.of(standby, o);
    if (!a.inSync()) return new Verdict(null, what + ", but " + a.why() + waits);
    if (!CandidateRanking.promotable(a, o.policy())) {
      return new Verdict(null, what + ", but standby " + standby.pod() + " trails by " + a.lag() + " updates, more than maxPromotableLag "
          + o.policy().maxPromotableLag() + waits);
    }
    if (node.name().equals(standby.node())) return new Verdict(null, what + ", and standby " + standby.pod() + " shares it" + waits);
    if (!mayReceive(o, standby)) {
      NodeView other = o.node(standby.node()).orElse(null);
      return new Verdict(null, what + ", and node " + standby.node() + " of standby " + standby.pod() + " is "
          + (other != null && other.underMaintenance() ? other.maintenance() + " too" : "not ready") + waits);
    }
    return new Verdict(standby, what + ": switching to in-sync standby " + standby.pod() + " on node " + standby.node()
        + " before the primary is evicted");
  }

  /** Whether a planned switchover may move service onto {@code m}: its node is not known to be down or being emptied. */
  public static boolean mayReceive(Observation o, Member m) {
    return o.node(m.node()).map(n -> n.healthy() && !n.underMaintenance()).orElse(true);
  }
}
