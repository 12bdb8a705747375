package dev.availability.ou.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One container of a pod across its restarts: its process, its readiness and liveness probes run at their
 * periods and thresholds, and its restarts per the pod's restartPolicy, the first at once, then after 10 s
 * doubling to 5 min (reset after 10 min of running), as the kubelet backs off a crashing container.
 */
final class ContainerSlot {
  private static final Duration BACKOFF_START = Duration.ofSeconds(10);
  private static final Duration BACKOFF_MAX = Duration.ofMinutes(5);
  private final PodWorker pod;
  private final Container spec;
  private ContainerProcess process;
  private long generation;
  private Instant startedAt;
  private String waiting = "ContainerCreating";
  private ContainerView.Ended terminated;
  private ContainerView.Ended last;
  private int restarts;
  private int crashesInARow;
  private boolean ready;
  private int readyPasses;
  private int readyFailures;
  private int liveFailures;
  private final List<ScheduledFuture<?>> probes = new ArrayList<>();

  ContainerSlot(PodWorker pod, Container spec) {
    this.pod = pod;
    this.spec = spec;
  }

  synchronized ContainerView view() {
    String id = process == null ? null : "ou-process://" + process.pid();
    return new ContainerView(
        spec.getName(), spec.getImage(), id, startedAt, waiting, terminated, last, restarts, ready);
  }

  synchronized boolean alive() {
    return process != null && process.alive();
  }

  synchronized void waiting(String reason) {
    if (process == null) waiting = reason;
  }

  /** Starts (or restarts) the process, and its probes. */
  synchronized void start() throws java.io.IOException {
    if (alive()) return;
    KubeletServices k = pod.services();
    var env = k.env().of(k.image(), pod.pod(), spec, pod.ip());
    ContainerProcess p = ContainerProcess.start(
        k.image(),
        pod.pod(),
        spec,
        pod.volumes(),
        env,
        k.config().podDir(pod.pod().getMetadata().getUid()));
    if (startedAt != null || last != null) restarts++;
    process = p;
    startedAt = Instant.now();
    waiting = null;
    terminated = null;
    ready = spec.getReadinessProbe() == null;
    readyPasses = readyFailures = liveFailures = 0;
    long gen = ++generation;
    Thread.ofVirtual().name("wait-" + spec.getName()).start(() -> {
      try {
        onExit(gen, p.awaitExit());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    scheduleProbes(gen);
  }

  private void scheduleProbes(long gen) {
    probes.forEach(f -> f.cancel(false));
    probes.clear();
    schedule(spec.getReadinessProbe(), gen, true);
    schedule(spec.getLivenessProbe(), gen, false);
  }

  private void schedule(Probe probe, long gen, boolean readiness) {
    if (probe == null) return;
    long delay =
        probe.getInitialDelaySeconds() == null ? 0 : probe.getInitialDelaySeconds() * 1000L;
    long period = (probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds()) * 1000L;
    probes.add(pod.services()
        .probes()
        .scheduleWithFixedDelay(
            () -> {
              try {
                probe(probe, gen, readiness);
              } catch (Throwable e) { // anything escaping would end this probe's schedule for good
                Log.info("pod %s: probe of %s failed to run: %s", pod.name(), spec.getName(), e);
              }
            },
            Math.max(delay, 200),
            period,
            TimeUnit.MILLISECONDS));
  }

  private void probe(Probe probe, long gen, boolean readiness) {
    synchronized (this) {
      // A kubelet keeps probing readiness while a pod terminates: a draining container's readiness
      // is what its
      // endpoint's "serving" condition says (KEP-1672). Liveness stops: nothing is restarted any
      // more.
      if (gen != generation || process == null || (pod.stopping() && !readiness)) return;
    }
    if (!pod.services().reachable(pod.node()))
      return; // a partitioned node's kubelet still sees its pods alive: keep the last results
    boolean passes = dev.availability.ou.kubelet.Probe.passes(probe, spec, pod.ip());
    boolean changed = false;
    boolean restart = false;
    synchronized (this) {
      if (gen != generation || process == null) return;
      int failureThreshold = probe.getFailureThreshold() == null ? 3 : probe.getFailureThreshold();
      if (readiness) {
        int successThreshold =
            probe.getSuccessThreshold() == null ? 1 : probe.getSuccessThreshold();
        readyPasses = passes ? readyPasses + 1 : 0;
        readyFailures = passes ? 0 : readyFailures + 1;
        boolean now = ready ? readyFailures < failureThreshold : readyPasses >= successThreshold;
        changed = now != ready;
        ready = now;
      } else {
        liveFailures = passes ? 0 : liveFailures + 1;
        restart = liveFailures >= failureThreshold;
      }
    }
    if (restart) {
      Log.info(
          "pod %s: container %s failed its liveness probe; restarting it",
          pod.name(), spec.getName());
      terminate();
    }
    if (changed) pod.post();
  }

  private void onExit(long gen, int exitCode) {
    Duration delay;
    synchronized (this) {
      if (gen != generation) return;
      probes.forEach(f -> f.cancel(false));
      ContainerView.Ended ended = ContainerView.Ended.of(exitCode, startedAt, Instant.now());
      Log.info("pod %s: container %s exited %d", pod.name(), spec.getName(), exitCode);
      process = null;
      ready = false;
      String policy = pod.pod().getSpec().getRestartPolicy() == null
          ? "Always"
          : pod.pod().getSpec().getRestartPolicy();
      boolean again = !pod.stopping()
          && ("Always".equals(policy) || ("OnFailure".equals(policy) && exitCode != 0));
      if (!again) {
        terminated = ended;
        delay = null;
      } else {
        last = ended;
        crashesInARow = Duration.between(ended.startedAt(), ended.finishedAt()).toMinutes() >= 10
            ? 0
            : crashesInARow + 1;
        delay = crashesInARow <= 1
            ? Duration.ZERO
            : min(BACKOFF_START.multipliedBy(1L << Math.min(crashesInARow - 2, 10)), BACKOFF_MAX);
        waiting = delay.isZero() ? "ContainerCreating" : "CrashLoopBackOff";
      }
    }
    pod.post();
    if (delay != null)
      pod.services().timer().schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void restart() {
    if (pod.stopping() || !pod.services().alive(pod.node())) return;
    try {
      start();
    } catch (Exception e) {
      Log.info(
          "pod %s: could not restart container %s: %s", pod.name(), spec.getName(), e.getMessage());
    }
    pod.post();
  }

  synchronized void terminate() {
    if (process != null) process.terminate();
  }

  synchronized void kill() {
    probes.forEach(f -> f.cancel(false));
    if (process != null) process.kill();
  }

  void awaitExit(Duration atMost) {
    long until = System.nanoTime() + Math.max(0, atMost.toNanos());
    while (alive() && System.nanoTime() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
