package dev.availability.ou.failover;

import dev.availability.ou.failover.Action.Emit;
import java.util.List;

/**
 * What the steady state shows: the phase and the conditions (how protected the unit is, and why), and the warnings it
 * tells as events (a partition, a suspect primary, a drain that waits). Pure.
 */
final class SteadyStatus {
  private SteadyStatus() {}

  /** The phase and the conditions shown. */
  record Shown(Phase phase, List<ConditionView> conditions) {}

  /** The phase and conditions of a unit whose primary {@code p} is not failed, its standby tended as {@code t}. */
  static Shown of(
      Observation o, UnitState s, Member p, Verdict verdict, StandbyLifecycle.Tended t) {
    UnitPolicy policy = o.policy();
    if (p.phase() != Member.PodPhase.Running) {
      return new Shown(
          Phase.Pending,
          Conditions.pending("primary " + p.pod() + " is "
              + (p.scheduled() ? "starting on " + p.node() : "waiting to be scheduled")));
    }
    if (partition(verdict)) {
      return new Shown(
          Phase.Unprotected,
          Conditions.steady(
              p,
              o,
              false,
              ConditionReason.PeerUnreachable,
              verdict.describe()
                  + ", but the primary looks healthy to the API server: not promoting (a partition is not a crash)"));
    }
    if (t.fenced())
      return new Shown(
          Phase.Unprotected,
          Conditions.steady(
              p, o, false, ConditionReason.StandbyFenced, Fencing.standbyMessage(o, s.standby())));
    if (t.leavingHome() != null) {
      return new Shown(
          Phase.Synchronizing,
          Conditions.steady(
              p,
              o,
              false,
              ConditionReason.StandbyStarting,
              "waiting for " + t.leavingHome().pod() + " to leave node " + s.homeNode()
                  + " before creating the standby there (failback)"));
    }
    StandbyAssessment assessment = t.assessment();
    if (assessment == null) {
      return new Shown(
          Phase.Synchronizing,
          Conditions.steady(
              p,
              o,
              false,
              ConditionReason.StandbyStarting,
              "standby " + s.standby() + " is being created"));
    }
    // Protected means a failover now would be allowed (an asynchronous standby may stream in sync
    // yet trail too far).
    boolean promotable = assessment.inSync() && CandidateRanking.promotable(assessment, policy);
    Phase phase = switch (assessment.state()) {
      case InSync -> promotable ? Phase.Protected : Phase.Synchronizing;
      case CatchingUp, Starting -> Phase.Synchronizing;
      default -> Phase.Unprotected;
    };
    ConditionReason reason = switch (assessment.state()) {
      case InSync -> promotable ? ConditionReason.StandbyInSync : ConditionReason.StandbyLagging;
      case CatchingUp -> ConditionReason.StandbyCatchingUp;
      case Starting -> ConditionReason.StandbyStarting;
      case Unschedulable -> ConditionReason.StandbyUnschedulable;
      case Failed -> ConditionReason.StandbyFailed;
    };
    return new Shown(
        phase,
        Conditions.steady(
            p,
            o,
            promotable,
            reason,
            promotable || !assessment.inSync()
                ? assessment.why()
                : assessment.why() + " but trails by " + assessment.lag()
                    + " updates, more than maxPromotableLag " + policy.maxPromotableLag()));
  }

  /** Adds the warnings: the primary's peer lost in a partition, a drain waiting for a standby, a suspect primary. */
  static void warn(Observation o, UnitState s, Member p, Verdict verdict, List<Action> actions) {
    boolean partition = partition(verdict);
    if (partition && p.phase() == Member.PodPhase.Running) {
      actions.add(new Emit(
          EventReason.PeerUnreachable,
          verdict.describe() + "; the primary still renews its lease and is ready: no promotion",
          true));
    }
    NodeMaintenance.Verdict drain =
        NodeMaintenance.judge(o, s, p, o.member(s.standby()).orElse(null));
    if (drain != null && drain.step() == NodeMaintenance.Step.WAIT)
      actions.add(new Emit(EventReason.DrainWaiting, drain.message(), true));
    if (verdict.status() == Verdict.Status.Suspect && !partition) {
      actions.add(new Emit(
          EventReason.PrimarySuspect,
          verdict.describe() + " (one weak signal: not enough to fail over)",
          true));
    }
  }

  /** The primary's sidecar lost its peer, and nothing else is wrong with it: a partition, not a crash. */
  private static boolean partition(Verdict verdict) {
    return verdict.status() == Verdict.Status.Suspect
        && verdict.signals().stream().anyMatch(x -> x.kind() == Signal.Kind.PeerLost);
  }
}
