package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
import dev.availability.ou.failover.Action.DeleteMember;
import dev.availability.ou.failover.Action.Emit;
import dev.availability.ou.failover.Action.PointService;
import dev.availability.ou.failover.Member.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Many random sequences of faults, recoveries, spec changes, operator restarts and absences, with the safety
 * invariants checked after every decision and liveness checked once everything is healed:
 * <ul>
 *   <li>never two members assigned Primary at the same epoch;</li>
 *   <li>never two members that may acknowledge writes (the world's ground truth: serving by their own lease);</li>
 *   <li>the Service is only ever pointed at the member the state names as primary;</li>
 *   <li>epochs only increase;</li>
 *   <li>the failover count equals the completed promotions for a fault, the switchover count the planned ones (drills
 *       count in neither);</li>
 *   <li>a request (switchover-to, drill, random and sometimes malformed) starts at most one promotion per value, and
 *       no answer stays InProgress once no promotion is under way;</li>
 *   <li>Synchronous and Journal modes never promote a member that is not in sync (no acknowledged update lost);</li>
 *   <li>a member is force-deleted only once it can no longer acknowledge (checked by the world);</li>
 *   <li>a paused unit gets no action but events; a fenced member (fenced and unfenced at random) is never assigned
 *       anything but Fenced, never deleted by the operator, never selected by the Service;</li>
 *   <li>never more than K failovers within W since automatic failover was last resumed (failover-loop protection);</li>
 *   <li>once the faults are healed, the unit is protected again, or waits for a primary that is gone because
 *       the only standby left is not promotable (the documented policy); a unit whose failovers looped waits for a
 *       human, who resumes it.</li>
 * </ul>
 * Set {@code -Dfailover.seeds=N} for a longer run.
 */
class RandomizedFailoverPropertyTest {
  private static final int SEEDS = Integer.getInteger("failover.seeds", 150);

  @Test
  void invariantsHoldOverManyRandomSequencesOfFaultsAndRecoveries() {
    for (int seed = Integer.getInteger("failover.seed0", 0); seed < SEEDS; seed++) {
      Scenario s = new Scenario(seed);
      try {
        s.run();
      } catch (AssertionError e) {
        throw new AssertionError(
            "seed " + seed + " (" + s.w.policy.mode() + ", " + s.w.nodes.size()
                + " nodes, failback " + s.w.policy.failback() + ") after " + s.log + ": "
                + e.getMessage() + "\n" + s.w,
            e);
      }
    }
  }

  private static final class Scenario {
    final Random r;
    final World w;
    final List<String> log = new ArrayList<>();
    final Map<Long, String> primaryAtEpoch = new HashMap<>();
    int completedFailovers;
    int completedSwitchovers;
    final Map<String, Integer> startsPerRequest = new HashMap<>();
    int requestCount;

    Scenario(long seed) {
      r = new Random(seed);
      UnitPolicy.Mode mode = UnitPolicy.Mode.values()[r.nextInt(3)];
      Long maxLag = mode == UnitPolicy.Mode.Asynchronous && r.nextBoolean()
          ? Long.valueOf(r.nextInt(40))
          : null;
      UnitPolicy p = new UnitPolicy(
          "db",
          mode,
          true,
          Duration.ofMillis(2000 + 1000L * r.nextInt(5)),
          maxLag,
          r.nextInt(4) == 0,
          "h0");
      int nodes = 2 + r.nextInt(3);
      String[] names = new String[nodes];
      for (int i = 0; i < nodes; i++) names[i] = "node-" + (char) ('a' + i);
      w = new World(p, names);
      w.avoidRequired = r.nextBoolean();
      w.asyncLag = r.nextInt(
          maxLag != null
              ? maxLag.intValue() + 1
              : 20); // (more than the policy allows is never Protected)
      w.checks.add(this::check);
    }

    void run() {
      w.bootstrap();
      int events = 10 + r.nextInt(30);
      for (int i = 0; i < events; i++) {
        inject();
        w.run(Duration.ofMillis(100L * (1 + r.nextInt(30))));
      }
      healEverything();
      for (int resumptions = 0; ; resumptions++) {
        w.runUntil(
            x -> settledForGood(x) || suspendedByLoop(x),
            "protected (or waiting by policy)",
            Duration.ofSeconds(180));
        if (settledForGood(w) || resumptions == 5) break;
        log.add("resume failovers");
        Requests q = w.policy.requests();
        w.policy = w.policy.withRequests(new Requests(
            q.switchoverTo(), q.drill(), q.paused(), q.fencedMembers(), "resumed-" + resumptions));
      }
      w.runUntil(this::settledForGood, "protected (or waiting by policy)", Duration.ofSeconds(180));
      if (w.lastPhase() == Phase.Protected) assertProtectedLayout();
      if (w.policy.mode() != UnitPolicy.Mode.Asynchronous)
        assertThat(w.lostAtPromotion).as("acknowledged updates lost").allMatch(lost -> lost == 0);
    }

    // ---------------------------------------------------------------- what can happen

    private String anyPod() {
      List<String> names = new ArrayList<>(w.pods.keySet());
      return names.isEmpty() ? null : names.get(r.nextInt(names.size()));
    }

    private String aPod() {
      // mostly the primary or the standby, sometimes any member
      int pick = r.nextInt(5);
      String p = pick < 2 ? w.status.primary() : pick < 4 ? w.status.standby() : anyPod();
      return p != null && w.pods.containsKey(p) ? p : anyPod();
    }

    private String aNode() {
      List<String> names = new ArrayList<>(w.nodes.keySet());
      return names.get(r.nextInt(names.size()));
    }

    private void inject() {
      String pod = aPod();
      String node = aNode();
      int what = r.nextInt(35);
      if (pod == null && what < 12) what = 12 + r.nextInt(12);
      if (what == 32) {
        interruptedFailover();
        return;
      }
      World.Pod p = pod == null ? null : w.pods.get(pod);
      switch (what) {
        case 0 -> {
          if (!p.deleting()) w.deletePod(pod);
        }
        case 1 -> w.removePod(pod);
        case 2 -> {
          if (p.app != null && p.phase == Member.PodPhase.Running) w.evict(pod);
        }
        case 3 -> {
          if (p.app != null) w.appTerminated(pod);
        }
        case 4 -> {
          if (p.app != null) w.appCrashLoop(pod);
        }
        case 5 -> {
          if (p.app != null) w.appRestarted(pod);
        }
        case 6 -> w.setReadiness(pod, false);
        case 7 -> w.appReportedUnhealthy(pod, true);
        case 8 -> p.leaseBlocked = true;
        case 9 -> p.sidecarHung = true;
        case 10 -> {
          if (p.app != null) w.appRecovers(pod);
        }
        case 11 -> {
          w.setReadiness(pod, null);
          w.appReportedUnhealthy(pod, false);
          p.leaseBlocked = false;
          p.sidecarHung = false;
        }
        case 12 -> w.nodeNotReady(node);
        case 13 -> w.nodeUnknown(node);
        case 14 -> w.killNode(node);
        case 15 -> w.isolateNode(node);
        case 16 -> w.node(node).kubeletStalled = true;
        case 17, 18 -> w.healNode(node);
        case 19 -> w.podNetworkSplit = !w.podNetworkSplit;
        case 20 ->
          w.policy = new UnitPolicy(
              w.policy.unit(),
              w.policy.mode(),
              w.policy.automatic(),
              w.policy.recoveryBudget(),
              w.policy.maxPromotableLag(),
              w.policy.failback(),
              "h" + (1 + r.nextInt(1000)),
              w.policy.requests());
        case 21, 22 -> { // the operator dies somewhere in one of the next reconciliations
          w.crashAtStep = w.mark() + r.nextInt(4);
          w.crashAfterActions = r.nextInt(6);
        }
        case 23 -> w.policy = withAutomatic(!w.policy.automatic());
        case 24 -> {
          // a user asks for a switchover: to the standby, any, the primary, another pod, or
          // nonsense
          String[] targets = {
            "any", w.status.standby(), w.status.primary(), anyPod(), "db-99", "Not_A_Pod", ""
          };
          String target = targets[r.nextInt(targets.length)];
          ask(
              target == null ? "any" : target + (r.nextBoolean() ? "@" + ++requestCount : ""),
              w.policy.requests().drill());
        }
        case 25 ->
          ask(
              w.policy.requests().switchoverTo(),
              r.nextInt(8) == 0 ? " " : "drill-" + ++requestCount);
        case 26 -> { // a user pauses or resumes the unit
          Requests q = w.policy.requests();
          w.policy = w.policy.withRequests(new Requests(
              q.switchoverTo(), q.drill(), q.isPaused() ? null : "true", q.fencedMembers()));
        }
        case 27, 28 -> {
          // a user fences a member (the primary or the standby mostly), or unfences everyone
          Requests q = w.policy.requests();
          String fenced = pod == null || r.nextInt(3) == 0 ? null : pod;
          w.policy =
              w.policy.withRequests(new Requests(q.switchoverTo(), q.drill(), q.paused(), fenced));
        }
        case 33 -> w.cordon(node); // a drain begins (kubectl drain, the cluster autoscaler)
        case 34 -> w.uncordon(node);
        default -> { // no operator for a while (a leader change, a long restart): the world goes on
          Duration away = Duration.ofMillis(100L * (1 + r.nextInt(50)));
          for (java.time.Instant until = w.now.plus(away); w.now.isBefore(until); ) w.tick();
        }
      }
      log.add(what + (what < 12 ? ":" + pod : what < 19 || what >= 33 ? ":" + node : ""));
    }

    /**
     * As bench/drill's operator-killed-mid-failover when the target fails too: the primary's app container restarts or
     * crashes, the operator dies in one of the next reconciliations and none runs for a while, during which the
     * standby's app container restarts or crashes (and maybe runs again).
     */
    private void interruptedFailover() {
      String primary = w.status.primary();
      String standby = w.status.standby();
      appFault(primary);
      int decisions = r.nextInt(3);
      int crashAt = w.mark() + decisions;
      w.crashAtStep = crashAt;
      w.crashAfterActions = r.nextInt(5);
      while (w.steps.size() <= crashAt) {
        if (r.nextBoolean()) w.tick();
        w.reconcile();
      }
      int away = r.nextInt(300);
      int standbyFaultAt = r.nextInt(away + 1);
      int runsAgainAt = standbyFaultAt + r.nextInt(away + 50);
      for (int t = 0; t <= away; t++) {
        if (t == standbyFaultAt) appFault(standby);
        if (t == runsAgainAt && w.pods.containsKey(standby) && w.pods.get(standby).appDown)
          w.appRecovers(standby);
        w.tick();
      }
      log.add(
          "interrupted failover of " + primary + " to " + standby + " (operator died in decision "
              + (decisions + 1) + " after " + w.crashAfterActions + " actions, away " + away
              + " ticks, standby's app at " + standbyFaultAt + ", again at " + runsAgainAt + ")");
    }

    /** The app container of {@code pod} restarts at once, crashes, or loops crashing. */
    private void appFault(String pod) {
      World.Pod p = pod == null ? null : w.pods.get(pod);
      if (p == null || p.app == null) return;
      switch (r.nextInt(3)) {
        case 0 -> w.appRestarted(pod);
        case 1 -> w.appTerminated(pod);
        default -> w.appCrashLoop(pod);
      }
    }

    private UnitPolicy withAutomatic(boolean automatic) {
      UnitPolicy p = w.policy;
      return new UnitPolicy(
          p.unit(),
          p.mode(),
          automatic,
          p.recoveryBudget(),
          p.maxPromotableLag(),
          p.failback(),
          p.templateHash(),
          p.requests());
    }

    private void ask(String switchoverTo, String drill) {
      Requests q = w.policy.requests();
      w.policy = w.policy.withRequests(
          new Requests(switchoverTo, drill, q.paused(), q.fencedMembers(), q.resumeFailovers()));
    }

    /** When each failover on a fault recorded in the history was decided (a new newest entry). */
    final Map<Long, java.time.Instant> failoversDecided =
        new HashMap<>(); // by epoch: a decision redone is one failover

    /** Never K + 1 failovers within W among those decided since automatic failover was last resumed. */
    private void checkNoFailoverLoop(World.Step step) {
      UnitState after = step.decision().state();
      FailoverTimings newest = after.lastFailover();
      if (newest != null
          && FailoverLoop.automatic(newest)
          && !newest.equals(step.before().lastFailover())
          && (step.before().lastFailover() == null
              || newest.epoch() != step.before().lastFailover().epoch())) {
        failoversDecided.put(newest.epoch(), newest.decidedAt());
      }
      FailoverLoop.Limits limits = step.observation().policy().loopLimits();
      java.time.Instant since = FailoverLoop.countsFrom(after);
      List<java.time.Instant> counted = failoversDecided.values().stream()
          .filter(t -> since == null || t.isAfter(since))
          .sorted()
          .toList();
      for (int i = 0; i + limits.maxFailovers() < counted.size(); i++) {
        assertThat(Duration.between(counted.get(i), counted.get(i + limits.maxFailovers())))
            .as(
                "%d failovers within %s since the last resumption: %s",
                limits.maxFailovers() + 1, limits.window(), counted)
            .isGreaterThan(limits.window());
      }
    }

    private void healEverything() {
      log.add("heal");
      w.policy = withAutomatic(true);
      Requests q = w.policy.requests();
      w.policy = w.policy.withRequests(
          new Requests(q.switchoverTo(), q.drill(), null, null, q.resumeFailovers()));
      w.nodes.keySet().forEach(w::healNode);
      w.nodes.keySet().forEach(w::uncordon);
      w.podNetworkSplit = false;
      for (World.Pod p : w.pods.values()) {
        p.readyOverride = null;
        p.appHealthy = true;
        p.leaseBlocked = false;
        p.sidecarHung = false;
        if (p.appDown && p.app != null) w.appRecovers(p.name);
      }
    }

    // ---------------------------------------------------------------- liveness

    private boolean settledForGood(World x) {
      // (the endpoints follow the Service at the next tick, as the EndpointSlice controller lags
      // its write)
      if (x.lastPhase() == Phase.Protected
          && x.status.intent() == null
          && x.pods.size() == 2
          && x.endpoints.equals(java.util.Set.of(x.status.primary()))) return true;
      // The documented policy: a stale standby (or one that does not know how far it trails) is not
      // promoted; the unit waits for a primary that cannot return.
      World.Pod primary = x.pods.get(x.status.primary());
      boolean primaryDead = primary == null || primary.phase == Member.PodPhase.Failed;
      String reason =
          x.lastPhase() == Phase.Degraded ? x.condition(ConditionType.Degraded).reason() : "";
      return primaryDead
          && (reason.equals("NoInSyncStandby")
              || reason.equals("LagTooHigh")
              || reason.equals("LagUnknown"));
    }

    /** Waiting for a human: a failover loop suspended automatic failover. */
    private boolean suspendedByLoop(World x) {
      return x.lastPhase() == Phase.Degraded
          && x.condition(ConditionType.Degraded).reason().equals("FailoverLoop");
    }

    private void assertProtectedLayout() {
      World.Pod p = w.primary();
      World.Pod sb = w.standby();
      assertThat(w.selector).isEqualTo(p.name);
      assertThat(w.endpoints).containsExactly(p.name);
      assertThat(w.lease.holder()).isEqualTo(p.name);
      assertThat(w.lease.epoch()).isEqualTo(w.status.epoch());
      assertThat(p.role).isEqualTo(Role.Primary);
      assertThat(p.epoch).isEqualTo(w.status.epoch());
      assertThat(p.peer).isEqualTo(sb.name);
      assertThat(sb.role).isEqualTo(Role.Standby);
      assertThat(sb.peer).isEqualTo(p.name);
      assertThat(sb.node).isNotEqualTo(p.node);
      assertThat(w.status.failovers()).isEqualTo(completedFailovers);
    }

    // ---------------------------------------------------------------- safety, after every decision

    private void check(World.Step step) {
      Decision d = step.decision();
      UnitState before = step.before();
      checkNoFailoverLoop(step);
      List<Action> done = d.actions().subList(0, step.actionsDone());
      Requests requests = step.observation().policy().requests();
      assertThat(w.pods.values().stream()
              .filter(w::canAcknowledge)
              .map(p -> p.name)
              .toList())
          .as("members that may acknowledge writes")
          .hasSizeLessThanOrEqualTo(1);
      if (requests.isPaused())
        assertThat(done).as("actions on a paused unit").allMatch(a -> a instanceof Emit);
      for (Action a : done) {
        // A fenced member serves nothing and is kept: never assigned another role, never deleted,
        // never selected.
        if (a instanceof Assign as && requests.fenced().contains(as.pod()))
          assertThat(as.role()).as("assignment of fenced %s", as.pod()).isEqualTo(Role.Fenced);
        if (a instanceof DeleteMember del && requests.fenced().contains(del.pod())) {
          assertThat(step.observation().members().get(del.pod()).deleting())
              .as("deleting fenced %s", del.pod())
              .isTrue();
        }
        if (a instanceof PointService ps)
          assertThat(requests.fenced())
              .as("the Service selects a fenced member")
              .doesNotContain(ps.pod());
        if (a instanceof Assign as && as.role() == Role.Primary) primaryAt(as.epoch(), as.pod());
        if (a instanceof CreateMember c && c.role() == Role.Primary) primaryAt(c.epoch(), c.pod());
        if (a instanceof PointService ps && !ServiceView.NOBODY.equals(ps.pod())) {
          assertThat(ps.pod())
              .as("the Service names the state's primary")
              .isEqualTo(d.state().primary());
        }
      }
      if (d.state().intent() != null
          && before.intent() == null
          && !d.state().intent().planned()) {
        Member target = step.observation().members().get(d.state().intent().target());
        if (w.policy.mode() != UnitPolicy.Mode.Asynchronous) {
          assertThat(StandbyAssessment.of(target, step.observation()).inSync())
              .as("promoting a stale standby")
              .isTrue();
        }
      }
      if (!step.stateWritten()) return;
      UnitState after = w.status;
      assertThat(after.epoch()).as("epochs only increase").isGreaterThanOrEqualTo(before.epoch());
      if (before.intent() != null
          && after.primary() != null
          && !after.primary().equals(before.primary())) {
        if (before.intent().kind() == PromotionKind.Failover) completedFailovers++;
        if (before.intent().kind() == PromotionKind.Switchover) completedSwitchovers++;
      }
      assertThat(after.failovers()).as("failovers counted").isEqualTo(completedFailovers);
      assertThat(after.switchovers()).as("switchovers counted").isEqualTo(completedSwitchovers);
      if (before.intent() == null && after.intent() != null) {
        Requests.Kind asked = after.intent().kind() == PromotionKind.Drill
            ? Requests.Kind.Drill
            : RequestDecider.REQUESTED.equals(after.intent().reason())
                ? Requests.Kind.Switchover
                : null;
        if (asked != null) {
          int starts =
              startsPerRequest.merge(asked + "=" + after.answer(asked).value(), 1, Integer::sum);
          assertThat(starts)
              .as("promotions started by %s %s", asked, after.answer(asked).value())
              .isEqualTo(1);
        }
      }
      if (after.intent() == null) {
        assertThat(after.answers().values())
            .as("answers once nothing is under way")
            .noneMatch(a -> a.state() == RequestAnswer.State.InProgress);
      }
    }

    private void primaryAt(long epoch, String pod) {
      String earlier = primaryAtEpoch.putIfAbsent(epoch, pod);
      assertThat(earlier == null || earlier.equals(pod))
          .as("two primaries at epoch %d: %s and %s", epoch, earlier, pod)
          .isTrue();
    }
  }
}
