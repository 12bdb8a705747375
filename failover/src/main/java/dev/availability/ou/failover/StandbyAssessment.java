package dev.availability.ou.failover;

import dev.availability.ou.failover.Member.AppContainer;

/**
 * What a standby member is worth right now: failed (replace it), unschedulable, catching up, in sync.
 *
 * @param lag updates it trails by (null when unknown)
 * @param why a sentence for conditions and events
 */
public record StandbyAssessment(
    State state, boolean inSync, Long lag, long lastDurableSeq, String why) {

  public enum State {
    Failed,
    Unschedulable,
    Starting,
    CatchingUp,
    InSync
  }

  public static StandbyAssessment of(Member m, Observation o) {
    long epoch = o.state().epoch();
    NodeView node = o.node(m.node()).orElse(null);
    Member.Report r = m.report();
    long seq = r != null ? r.lastDurableSeq() : -1;
    if (FormerDeparting.departing(o, m))
      return new StandbyAssessment(
          State.CatchingUp,
          false,
          r != null ? r.lag() : null,
          seq,
          "former primary " + m.pod()
              + ", its pod being deleted, is the standby until its successor has started");
    if (m.deleting()) return failed(m, "standby " + m.pod() + " is being deleted");
    if (m.terminated())
      return failed(
          m, "standby " + m.pod() + " stopped (" + m.phase() + ": evicted or terminated)");
    if (m.scheduled() && node != null && !node.healthy())
      return failed(m, "node " + node.name() + " of standby " + m.pod() + " is not ready");
    AppContainer app = m.app();
    // A former primary kept after its application crashed (FormerAsStandby): its sidecar serves the
    // new primary while the kubelet restarts the application.
    boolean restarting = FormerAsStandby.restarting(o, m);
    if (app != null && app.crashed() && !restarting) {
      return failed(m, "application container of standby " + m.pod() + " crashed");
    }
    boolean appDown = (app != null && app.crashed())
        || (r != null && r.epoch() == epoch && Boolean.FALSE.equals(r.appHealthy()));
    if (appDown && !restarting)
      return failed(m, "the sidecar of standby " + m.pod() + " reports its application unhealthy");
    if (FormerAsStandby.overdue(o, m))
      return failed(
          m, "former primary " + m.pod() + " kept as the standby did not take that role in time");
    if (m.unschedulable())
      return new StandbyAssessment(
          State.Unschedulable,
          false,
          null,
          seq,
          "standby " + m.pod() + " cannot be scheduled (no node satisfies its placement)");
    if (!m.scheduled() || m.phase() != Member.PodPhase.Running)
      return new StandbyAssessment(
          State.Starting, false, null, seq, "standby " + m.pod() + " is starting");
    // A sidecar that has not confirmed the unit's epoch may be dead behind a pod that still looks
    // ready (its node not yet NotReady): it is no candidate until it does.
    if (r != null && r.epoch() < epoch) {
      return new StandbyAssessment(
          State.Starting,
          false,
          null,
          seq,
          "standby " + m.pod() + " has not confirmed epoch " + epoch + " yet");
    }
    // With a current report the sidecar's word counts; without one yet, the pod's readiness (the
    // sidecar's readiness probe passes on a standby only once it is in sync).
    boolean inSync;
    Long lag;
    if (r != null && r.epoch() == epoch) {
      inSync = Boolean.TRUE.equals(r.inSync());
      lag = r.lag();
    } else {
      inSync = m.ready();
      lag = inSync ? 0L : null;
    }
    if (appDown)
      return new StandbyAssessment(
          State.Starting,
          false,
          lag,
          seq,
          "the application of standby " + m.pod() + " (the former primary) is restarting after its"
              + " crash; its sidecar " + (inSync ? "is" : "is not yet") + " in sync");
    if (inSync)
      return new StandbyAssessment(
          State.InSync, true, lag, seq, "standby " + m.pod() + " is in sync");
    return new StandbyAssessment(
        State.CatchingUp,
        false,
        lag,
        seq,
        "standby " + m.pod() + " is catching up"
            + (lag != null ? " (" + lag + " updates behind)" : ""));
  }

  private static StandbyAssessment failed(Member m, String why) {
    return new StandbyAssessment(
        State.Failed, false, null, m.report() != null ? m.report().lastDurableSeq() : -1, why);
  }

  public boolean failed() {
    return state == State.Failed;
  }
}
