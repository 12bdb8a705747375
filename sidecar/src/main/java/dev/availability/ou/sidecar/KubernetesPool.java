package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.memberapi.MemberApi;
import dev.availability.ou.memberapi.SharedPodWatch;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A pooled sidecar under Kubernetes (docs/pools.md "The shared pod"): one watch of the shared pod
 * ({@link SharedPodWatch}) says which units the pod holds ({@link PoolMembership}) and feeds every unit's
 * {@link KubernetesControl}, which follows that unit's assignment annotation, writes its report annotation and, as
 * the unit's primary, renews the unit's Lease. Units join and leave through the pool's own path
 * ({@link PooledSidecar#joinUnit}, {@link PooledSidecar#dropUnit}), as POOL_ADD and POOL_REMOVE do standalone. The
 * I/O shell: what to change is {@link PoolMembership#plan}'s.
 */
final class KubernetesPool implements UnitControls, AutoCloseable {
  /** How often what the pod says is applied again without a change: a join that failed, a refusal that may pass. */
  static final long RECHECK_MILLIS = 2000;

  private final MemberApi api;
  private final SharedPodWatch pod;
  private final String podName;
  private final Map<String, KubernetesControl> controls = new ConcurrentHashMap<>();
  // The last problem said per unit (a join or leave that failed): said again only when it changes.
  private final Map<String, String> said = new HashMap<>();
  private volatile PooledSidecar pool;

  KubernetesPool(Config base) {
    this(base, KubernetesControl.lean(base));
  }

  /** On {@code api}, bound to the pod's namespace; {@link #close()} closes it. */
  KubernetesPool(Config base, MemberApi api) {
    this.api = Objects.requireNonNull(api);
    this.podName = Objects.requireNonNull(base.podName(), "OU_POD_NAME");
    this.pod = new SharedPodWatch(api, podName);
  }

  /** Unit {@code unit}'s control: its channel on the one watch, its promotions gated by the pool. */
  @Override
  public ControlSource control(String unit, Config unitCfg) {
    KubernetesControl c = new KubernetesControl(
        unitCfg, pod.unitApi(), unit, (role, again, apply) -> pool.admit(unit, role, again, apply));
    controls.put(unit, c);
    return c;
  }

  /** Starts following the pod: the first read happens before this returns (a failure is thrown). */
  void start(PooledSidecar pool, ScheduledExecutorService ticker) {
    this.pool = pool;
    pod.start(this::converge, Logs::warn);
    ticker.scheduleWithFixedDelay(
        this::recheck, RECHECK_MILLIS, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void recheck() {
    try {
      MemberApi.PodMeta p = pod.last();
      if (p != null) converge(p);
      controls.values().forEach(KubernetesControl::retryRefused);
    } catch (RuntimeException e) {
      Logs.error("applying pod " + podName + "'s units again failed", e);
    }
  }

  /** Makes the units held what the pod says: on every change of the pod, and every {@link #RECHECK_MILLIS}. */
  private synchronized void converge(MemberApi.PodMeta p) {
    PoolMembership.Plan plan = PoolMembership.plan(p.labels(), p.annotations(), pool.units());
    for (String u : plan.invalid())
      sayOnce(
          u,
          "pod " + podName + " names unit '" + u + "', which is not a unit name (a DNS label):"
              + " ignored; fix the operator's annotation or label");
    for (String u : plan.join()) {
      LocalApiTarget.Answer a = pool.joinUnit(u);
      if (a.status() == LocalProtocol.OK) said.remove(u);
      else {
        controls.remove(u);
        sayOnce(
            u,
            "unit " + u + " could not join (retried every " + RECHECK_MILLIS + " ms): "
                + a.message());
      }
    }
    for (String u : plan.leave()) {
      LocalApiTarget.Answer a = pool.dropUnit(u);
      if (a.status() == LocalProtocol.OK) {
        controls.remove(u);
        said.remove(u);
        removeReport(u);
      } else
        sayOnce(u, "unit " + u + " is no longer on pod " + podName + " but stays: " + a.message());
    }
    plan.staleReports().forEach(this::removeReport);
  }

  /** Removes unit {@code unit}'s report from the pod: its replica is gone, no report may say otherwise. */
  private void removeReport(String unit) {
    try {
      pod.removeReport(unit);
    } catch (RuntimeException e) {
      Logs.warn("removing unit " + unit + "'s report from pod " + podName
          + " failed (retried every " + RECHECK_MILLIS + " ms): " + e.getMessage());
    }
  }

  private void sayOnce(String unit, String problem) {
    if (!problem.equals(said.put(unit, problem))) Logs.warn(problem);
  }

  @Override
  public void close() {
    pod.close();
    api.close();
  }
}
