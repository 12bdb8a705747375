package dev.availability.ou.failover;

import dev.availability.ou.failover.Member.AppContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The global manager's judgement of the primary, correlating the pod, its container, its node, the
 * primary lease and the sidecars' reports. The rules (thresholds in {@link Thresholds}):
 * <ul>
 *   <li>Failed on one strong signal: pod gone, being deleted or Failed (evicted); app container crashed
 *       or restarted; pod unready for the readiness grace; node Ready False/Unknown; the primary's
 *       sidecar reporting its app unhealthy; the primary lease expired (its sidecar has fenced itself). In
 *       Synchronous and Journal mode the in-sync standby hearing the primary counts as a renewal
 *       ({@link PrimaryConfirmation}): such a primary renews its lease only every ten lease durations while its standby hears it.</li>
 *   <li>Failed on two different weak signals: the standby reporting the primary's heartbeats lost, the
 *       primary's node lease stale, the primary lease overdue (not yet expired).</li>
 *   <li>One weak signal alone is a partition, not a crash: no promotion while the API server still sees a
 *       healthy primary.</li>
 *   <li>The primary's node lease stale and its standby's too, on another node ({@link MembersSilence}): both members
 *       unheard is no partition of one node, so the primary counts as failed at once ({@code MembersSilent}, strong),
 *       though nobody can be promoted.</li>
 * </ul>
 */
public final class PrimaryHealthEvaluator {

  /**
   * Slack when comparing the pod's last Ready transition with its application's start: the kubelet writes both to
   * the second, and the operator may first see a pod it created just after its containers started.
   */
  static final Duration START_SLACK = Duration.ofSeconds(2);

  /** Its application container runs and the pod has not been Ready since that container started. */
  static boolean startingUp(Member p) {
    AppContainer app = p.app();
    return app != null
        && app.state() == AppContainer.State.Running
        && app.since() != null
        && (p.readySince() == null || !p.readySince().isAfter(app.since().plus(START_SLACK)));
  }

  /**
   * When the unit's standby turned Ready ({@code now} while it is not): a starting primary that may not acknowledge
   * alone (dataDurability Required) is unready until its standby is in sync, so its startup allowance counts from then.
   * Seen twice in CI: a new unit on a loaded machine failed over once, its primary unready past the allowance while its
   * standby's pod was slow to start. Without a ready standby nothing could be promoted anyway; null without a standby.
   */
  static Instant standbyReadyAt(Observation o, UnitState s, Instant now) {
    if (s.standby() == null) return null;
    return o.member(s.standby()).map(sb -> sb.ready() ? sb.readySince() : now).orElse(null);
  }

  /**
   * Since when the unit's standby has been in sync at this epoch, as its report says ({@code now} while it is not):
   * a Synchronous or Journal primary's unreadiness counts from then at the earliest. Before it nothing could be
   * promoted, and such a primary may be unready for want of that very standby (a primary its standby vouched for serves
   * on that standby's word once its lease lapses: LeaseFailsafe). Seen in CI (the pool drill, twice): a starting
   * primary unready while its standby caught up, failed over the moment that standby reported in sync, before the
   * primary's Ready condition had caught up with it. Null (no such bound) in Asynchronous mode, without a standby, or
   * when the standby's sidecar does not say since when.
   */
  static Instant standbyInSyncAt(Observation o, UnitState s, Member p, Instant now) {
    if (p.assignedMode(o.policy().mode()) == UnitPolicy.Mode.Asynchronous || s.standby() == null)
      return null;
    Member.Report r = o.member(s.standby()).map(Member::report).orElse(null);
    if (r == null
        || r.role() != Member.Role.Standby
        || r.epoch() != s.epoch()
        || !Boolean.TRUE.equals(r.inSync())) return now;
    Instant since = r.inSyncSince();
    // (its clock: one ahead of ours by d postpones the count by d at most)
    return since == null || !since.isAfter(now) ? since : now;
  }

  private static Instant later(Instant a, Instant b) {
    return b != null && (a == null || b.isAfter(a)) ? b : a;
  }

  /** When traffic moved to {@code p} in the unit's last failover or switchover, if it was to {@code p}. */
  static Instant promotedAt(UnitState s, Member p) {
    FailoverTimings last = s.lastFailover();
    return last != null && p.pod().equals(last.newPrimary()) ? last.serviceSwitchedAt() : null;
  }

  public Verdict evaluate(Observation o) {
    UnitState s = o.state();
    Instant now = o.now();
    Thresholds t = o.policy().thresholds();
    List<Signal> strong = new ArrayList<>();
    List<Signal> weak = new ArrayList<>();
    Duration recheck = null;

    Member p = o.member(s.primary()).orElse(null);
    if (p == null) {
      strong.add(new Signal(Signal.Kind.PodGone, now, "primary pod " + s.primary() + " is gone"));
      return new Verdict(Verdict.Status.Failed, strong, null);
    }
    if (p.deleting())
      strong.add(new Signal(
          Signal.Kind.PodDeleting,
          p.deletionRequestedAt(),
          "primary pod " + p.pod() + " is being deleted"));
    if (p.terminated())
      strong.add(new Signal(
          Signal.Kind.PodFailed,
          now,
          "primary pod " + p.pod() + " stopped (" + p.phase() + ": evicted or terminated)"));
    AppContainer app = p.app();
    if (app != null && p.phase() == Member.PodPhase.Running) {
      if (app.crashed()) {
        strong.add(new Signal(
            Signal.Kind.AppCrashed,
            app.since() != null ? app.since() : now,
            "application container of " + p.pod() + " " + app.state().name().toLowerCase()
                + (app.reason() != null ? " (" + app.reason() + ")" : "")));
      } else if (s.primaryRestartBaseline() != null
          && app.restartCount() > s.primaryRestartBaseline()) {
        strong.add(new Signal(
            Signal.Kind.AppRestarted,
            app.since() != null ? app.since() : now,
            "application container of " + p.pod() + " restarted (" + app.restartCount()
                + " restarts)"));
      }
    }
    if (p.phase() == Member.PodPhase.Running && !p.ready()) {
      Instant since = p.readySince() != null ? p.readySince() : now;
      // A primary counts as unready from its promotion at the earliest: as a standby its readiness
      // meant something else (seen in the drills: a standby unready a moment before its promotion
      // failed over again 0.35 s after it).
      Instant promotedAt = promotedAt(s, p);
      if (promotedAt != null && promotedAt.isAfter(since)) since = promotedAt;
      Duration grace = t.unreadyGrace();
      if (startingUp(p)) {
        // Not ready since its application started: it is starting (a JVM, a cache to warm), not
        // failing. It gets the recovery time on top of the grace before unreadiness counts, as a
        // startup probe would give it.
        since = later(p.app().since(), standbyReadyAt(o, s, now));
        grace = grace.plus(t.startupAllowance());
      }
      since = later(since, standbyInSyncAt(o, s, p, now));
      Duration unready = Duration.between(since, now);
      if (unready.compareTo(grace) >= 0) {
        strong.add(new Signal(
            Signal.Kind.Unready,
            since,
            "primary " + p.pod() + " not ready for " + unready.toMillis() + " ms"));
      } else {
        recheck = min(recheck, grace.minus(unready));
      }
    }
    NodeView node = o.node(p.node()).orElse(null);
    if (node != null) {
      if (!node.healthy()) {
        strong.add(new Signal(
            Signal.Kind.NodeNotReady,
            node.readySince() != null ? node.readySince() : now,
            "node " + node.name() + " of primary " + p.pod() + " is "
                + (node.ready() == NodeView.Ready.False ? "NotReady" : "unreachable (Unknown)")));
      } else if (node.leaseRenewedAt() != null && node.leaseDuration() != null) {
        Duration age = Duration.between(node.leaseRenewedAt(), now);
        MembersSilence.Silence silence = MembersSilence.of(o);
        if (silence != null) {
          strong.add(silence.signal());
        } else if (now.isAfter(node.leaseStaleAt())) {
          weak.add(new Signal(
              Signal.Kind.NodeLeaseStale,
              node.leaseStaleAt(),
              "node " + node.name() + " has not renewed its lease for " + age.toMillis() + " ms"));
          // Its standby's node may have gone with it: look again when that one's lease is stale.
          Duration standbyStale = MembersSilence.untilStandbyStale(o);
          if (standbyStale != null) recheck = min(recheck, standbyStale);
        }
      }
    }
    if (p.report() != null
        && p.report().epoch() == s.epoch()
        && Boolean.FALSE.equals(p.report().appHealthy())) {
      strong.add(new Signal(
          Signal.Kind.AppUnhealthy,
          p.report().reportedAt(),
          "the sidecar of " + p.pod() + " reports its application unhealthy"));
    }
    PrimaryLease lease = o.lease();
    boolean leaseOfThisPrimary =
        lease != null && p.pod().equals(lease.holder()) && lease.epoch() == s.epoch();
    // Heard by its standby now: nothing to recheck on a timer; the standby's report of a loss is a
    // pod event.
    boolean heardNow = leaseOfThisPrimary && now.equals(PrimaryConfirmation.vouchedAt(o, p));
    PrimaryConfirmation.Liveness alive = leaseOfThisPrimary && !heardNow
        ? PrimaryConfirmation.of(o, p, lease.renewedAt(), lease.duration())
        : null;
    if (alive != null) {
      Duration age = Duration.between(alive.lastAlive(), now);
      String silent = " by " + p.pod()
          + (p.assignedMode(o.policy().mode()) == UnitPolicy.Mode.Asynchronous
              ? ""
              : " and its standby has not heard it");
      if (!now.isBefore(alive.silentAt())) {
        // Dated, not timed: a message that changes at every pass makes a new Event each time (a
        // pooled unit left waiting for its primary wrote 949 FailoverBlocked events).
        strong.add(new Signal(
            Signal.Kind.LeaseExpired,
            alive.faultAt(),
            "primary lease not renewed" + silent + " since " + alive.lastAlive()
                + " (it has fenced itself)"));
      } else {
        if (age.compareTo(t.leaseOverdue()) >= 0) {
          weak.add(new Signal(
              Signal.Kind.LeaseOverdue,
              alive.faultAt(),
              "primary lease renewal overdue" + silent + " (" + age.toMillis() + " ms)"));
        } else {
          recheck = min(recheck, t.leaseOverdue().minus(age));
        }
        recheck = min(recheck, Duration.between(now, alive.silentAt()));
      }
    }
    Member sb = o.member(s.standby()).orElse(null);
    // (a fenced standby hears no primary by design: its silence says nothing of the primary)
    if (sb != null
        && !Fencing.asked(o, sb.pod())
        && sb.report() != null
        && sb.report().epoch() == s.epoch()
        && Boolean.TRUE.equals(sb.report().peerLost())) {
      Instant since = sb.report().reportedAt();
      if (since != null && sb.report().peerHeartbeatAgeMillis() != null)
        since = since.minusMillis(sb.report().peerHeartbeatAgeMillis());
      weak.add(new Signal(
          Signal.Kind.PeerLost, since, "standby " + sb.pod() + " lost the primary's heartbeats"));
    }

    if (!strong.isEmpty()) {
      strong.addAll(weak);
      return new Verdict(Verdict.Status.Failed, strong, null);
    }
    if (weak.stream().map(Signal::kind).distinct().count() >= 2)
      return new Verdict(Verdict.Status.Failed, weak, null);
    if (!weak.isEmpty()) return new Verdict(Verdict.Status.Suspect, weak, recheck);
    return new Verdict(Verdict.Status.Healthy, List.of(), recheck);
  }

  static Duration min(Duration a, Duration b) {
    if (b.isNegative()) b = Duration.ZERO;
    return a == null || b.compareTo(a) < 0 ? b : a;
  }
}
