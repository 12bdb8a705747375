package dev.availability.ou.failover;

import java.time.Instant;

/**
 * A primary failed over because its application container crashed keeps its pod: the kubelet restarts the application,
 * and its sidecar, alive and holding the unit's log, becomes the new primary's standby at once — it catches up from its
 * own log, without a pod start or a snapshot. A primary that may not acknowledge alone (dataDurability Required) then
 * serves again as soon as that sidecar is in sync, instead of after a new standby pod has started and caught up.
 *
 * <p>While its application restarts (until the unit's startup allowance after the switch), the kept member is a
 * standby that is still starting: not promotable and the unit not Protected, but not replaced either. An application
 * that does not come back in that time, or loops on its crash, makes it a failed standby, replaced as any other.
 *
 * <p>An application failure is any of the three signals that say only the application is down: the kubelet's crash or
 * restart of its container, and its sidecar's word that it is unhealthy. Which of them comes first is a race (the
 * sidecar notices a dead application within its health session's ttl, the kubelet within its own status update; CI saw
 * the sidecar win on a loaded machine), so all three keep the former primary. An application that hangs rather than
 * crashes is kept the same way and replaced once the startup allowance is over. Pure.
 */
final class FormerAsStandby {
  private FormerAsStandby() {}

  /** Whether {@code former}, deposed by promotion {@code i}, becomes the standby rather than being deleted. */
  static boolean keep(Observation o, Intent i, Member former) {
    return former != null
        && i.kind() == PromotionKind.Failover
        && appFailure(i.cause())
        && !o.pooled()
        && !former.deleting()
        && !former.terminated()
        && former.phase() == Member.PodPhase.Running
        && o.node(former.node()).map(NodeView::healthy).orElse(false)
        && !crashLooping(former);
  }

  /**
   * Whether standby {@code m} is a former primary kept by {@link #keep} whose application may still be restarting: its
   * crash, or its sidecar's word that the application is not healthy yet, does not fail it.
   */
  static boolean restarting(Observation o, Member m) {
    FailoverTimings last = o.state().lastFailover();
    if (last == null
        || !m.pod().equals(last.former())
        || !appFailure(last.cause())
        || crashLooping(m)) return false;
    Instant switched =
        last.serviceSwitchedAt() != null ? last.serviceSwitchedAt() : last.decidedAt();
    return switched != null
        && o.now().isBefore(switched.plus(o.policy().thresholds().startupAllowance()));
  }

  /**
   * Whether standby {@code m} is a former primary kept by {@link #keep} whose sidecar has still not confirmed the unit's
   * epoch when its application's restart time is over: it is not coming, replace it.
   */
  static boolean overdue(Observation o, Member m) {
    FailoverTimings last = o.state().lastFailover();
    return last != null
        && m.pod().equals(last.former())
        && appFailure(last.cause())
        && !restarting(o, m)
        && (m.report() == null || m.report().epoch() < o.state().epoch());
  }

  private static boolean appFailure(PromotionReason cause) {
    return cause instanceof PromotionReason.Fault f
        && (f.signal() == Signal.Kind.AppCrashed
            || f.signal() == Signal.Kind.AppRestarted
            || f.signal() == Signal.Kind.AppUnhealthy);
  }

  private static boolean crashLooping(Member m) {
    return m.app() != null && "CrashLoopBackOff".equals(m.app().reason());
  }
}
