package dev.availability.ou.e2e.scale;

import dev.availability.ou.testsupport.Progress;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Figures of the steady window: every unit Protected, nothing faulted, the benchmark only watching. */
record Steady(
    double seconds,
    ApiTraffic traffic,
    double operatorCpu,
    double apiserverCpu,
    double etcdCpu,
    double membersCpu,
    double heapMiB,
    double rssMiB,
    double hwmMiB,
    double queueP50,
    double queueP99,
    double queueCount,
    int spurious,
    Map<String, Long> spuriousReasons,
    long renewalP50,
    long renewalP99,
    long renewalGapMax,
    long renewalGapsOverLease,
    Map<String, Long> memberCalls,
    java.util.List<String> heapTop) {
  static final String QUEUE_WAIT = "ou_reconcile_queue_wait_seconds";

  static Steady measure(ScaleBenchmark b, Probes p, UnitWatch watch, ScaleMembers members)
      throws InterruptedException {
    Progress.log("steady state for " + b.steadySeconds + " s (OU_SCALE_STEADY_SECONDS)");
    Map<String, Integer> failoversBefore = watch.failoversByUnit();
    Map<String, Long> callsBefore = members.counts();
    members.renewalLatency.reset();
    members.renewalGaps.reset();
    PromText apiBefore = p.apiserverMetrics();
    PromText opBefore = p.operatorMetrics();
    double[] cpuBefore = {
      p.operator.cpuSeconds(), p.apiserver.cpuSeconds(), p.etcd.cpuSeconds(), p.self.cpuSeconds()
    };
    long start = System.nanoTime();
    long end = start + b.steadySeconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(15_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      Progress.log(String.format(
          "steady %d/%d s: %d failovers so far, lease renewal p99 %d ms, gap between renewals p50 %d ms, longest %d ms, phases %s",
          (System.nanoTime() - start) / 1_000_000_000L,
          b.steadySeconds,
          spurious(failoversBefore, watch.failoversByUnit()),
          members.renewalLatency.percentile(99),
          members.renewalGaps.percentile(50),
          members.renewalGaps.max(),
          watch.phases()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[] cpuAfter = {
      p.operator.cpuSeconds(), p.apiserver.cpuSeconds(), p.etcd.cpuSeconds(), p.self.cpuSeconds()
    };
    PromText apiAfter = p.apiserverMetrics();
    PromText opAfter = p.operatorMetrics();
    Map<String, Integer> failoversAfter = watch.failoversByUnit();
    Map<String, Long> calls = new TreeMap<>();
    members.counts().forEach((k, v) -> calls.put(k, v - callsBefore.getOrDefault(k, 0L)));
    double rss = p.operator.statusMiB("VmRSS");
    double hwm = p.operator.statusMiB("VmHWM");
    double heap = p.operatorHeapAfterGcMiB();
    long leaseMs = leaseMillis(b.budget);
    return new Steady(
        seconds,
        ApiTraffic.between(apiBefore, apiAfter, seconds),
        rate(cpuBefore[0], cpuAfter[0], seconds),
        rate(cpuBefore[1], cpuAfter[1], seconds),
        rate(cpuBefore[2], cpuAfter[2], seconds),
        rate(cpuBefore[3], cpuAfter[3], seconds),
        heap,
        rss,
        hwm,
        HistogramWindow.percentileMillis(opBefore, opAfter, QUEUE_WAIT, 50),
        HistogramWindow.percentileMillis(opBefore, opAfter, QUEUE_WAIT, 99),
        HistogramWindow.count(opBefore, opAfter, QUEUE_WAIT),
        spurious(failoversBefore, failoversAfter),
        reasons(watch, failoversBefore, failoversAfter),
        members.renewalLatency.percentile(50),
        members.renewalLatency.percentile(99),
        members.renewalGaps.max(),
        members.renewalGaps.above(leaseMs),
        calls,
        p.operator.classHistogram(10));
  }

  /** The lease duration of a unit with this budget: 0.4 · T_recovery, T_recovery half the budget (the defaults). */
  static long leaseMillis(String budget) {
    return (long) (dev.availability.ou.api.Durations.parse(budget).toMillis() / 2 * 0.4);
  }

  private static double rate(double before, double after, double seconds) {
    return before < 0 || after < 0 ? -1 : (after - before) / seconds;
  }

  static int spurious(Map<String, Integer> before, Map<String, Integer> after) {
    int n = 0;
    for (var e : after.entrySet())
      n += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0));
    return n;
  }

  private static Map<String, Long> reasons(
      UnitWatch watch, Map<String, Integer> before, Map<String, Integer> after) {
    Map<String, Long> m = new HashMap<>();
    for (var e : after.entrySet()) {
      if (e.getValue() <= before.getOrDefault(e.getKey(), 0)) continue;
      String reason = watch
          .get(e.getKey())
          .map(u -> u.getStatus() == null || u.getStatus().getLastFailover() == null
              ? "?"
              : u.getStatus().getLastFailover().getReason())
          .orElse("?");
      m.merge(reason, 1L, Long::sum);
    }
    return m;
  }
}
