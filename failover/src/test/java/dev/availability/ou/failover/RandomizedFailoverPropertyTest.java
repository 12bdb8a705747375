package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.Action.Assign;
import dev.availability.ou.failover.Action.CreateMember;
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
 *   <li>the Service is only ever pointed at the member the state names as primary;</li>
 *   <li>epochs only increase;</li>
 *   <li>the failover count equals the completed non-planned promotions;</li>
 *   <li>Synchronous and Journal modes never promote a member that is not in sync (no acknowledged update lost);</li>
 *   <li>a member is force-deleted only once it can no longer acknowledge (checked by the world);</li>
 *   <li>once the faults are healed, the unit is protected again, or waits for a primary that is gone because
 *       the only standby left is not promotable (the documented policy).</li>
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
        throw new AssertionError("seed " + seed + " (" + s.w.policy.mode() + ", " + s.w.nodes.size() + " nodes, failback " + s.w.policy.failback()
            + ") after " + s.log + ": " + e.getMessage() + "\n" + s.w, e);
      }
    }
  }

  private static final class Scenario {
    final Random r;
    final World w;
    final List<String> log = new ArrayList<>();
    final Map<Long, String> primaryAtEpoch = new HashMap<>();
    int completedFailovers;

    Scenario(long seed) {
      r = new Random(seed);
      UnitPolicy.Mode mode = UnitPolicy.Mode.values()[r.nextInt(3)];
      Long maxLag = mode == UnitPolicy.Mode.Asynchronous && r.nextBoolean() ? Long.valueOf(r.nextInt(40)) : null;
      UnitPolicy p = new UnitPolicy("db", mode, true, Duration.ofMillis(2000 + 1000L * r.nextInt(5)), maxLag, r.nextInt(4) == 0, "h0");
      int nodes = 2 + r.nextInt(3);
      String[] names = new String[nodes];
      for (int i = 0; i < nodes; i++) names[i] = "node-" + (char) ('a' + i);
      w = new World(p, names);
      w.avoidRequired = r.nextBoolean();
      w.asyncLag = r.nextInt(maxLag != null ? maxLag.intValue() + 1 : 20); // (more than the policy allows is never Protected)
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
      w.runUntil(this::settledForGood, "protected (or waiting by policy)", Duration.ofSeconds(180));
      if (w.lastPhase() == Phase.Protected) assertProtectedLayout();
      if (w.policy.mode() != UnitPolicy.Mode.Asynchronous) assertThat(w.lostAtPromotion).as("acknowledged updates lost").allMatch(lost -> lost == 0);
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
      int what = r.nextInt(29);
      if (pod == null && what < 12) what = 12 + r.nextInt(12);
      World.Pod p = pod == null ? null : w.pods.get(pod);
      switch (what) {
        case 0 -> { if (!p.deleting()) w.deletePod(pod); }
        case 1 -> w.removePod(pod);
        case 2 -> { if (p.app != null && p.phase == Member.PodPhase.Running) w.evict(pod); }
        case 3 -> { if (p.app != null) w.appTerminated(pod); }
        case 4 -> { if (p.app != null) w.appCrashLoop(pod); }
        case 5 -> { if (p.app != null) w.appRestarted(pod); }
        case 6 -> w.setReadiness(pod, false);
        case 7 -> w.appReportedUnhealthy(pod, true);
        case 8 -> p.leaseBlocked = true;
        case 9 -> p.sidecarHung = true;
        case 10 -> { if (p.app != null) w.appRecovers(pod); }
        case 11 -> { w.setReadiness(pod, null); w.appReportedUnhealthy(pod, false); p.leaseBlocked = false; p.sidecarHung = false; }
        case 12 -> w.nodeNotReady(node);
        case 13 -> w.nodeUnknown(node);
        case 14 -> w.killNode(node);
        case 15 -> w.isolateNode(node);
        case 16 -> w.node(node).kubeletStalled = true;
        case 17, 18 -> w.healNode(node);
        case 19 -> w.podNetworkSplit = !w.podNetworkSplit;
        case 20 -> w.policy = new UnitPolicy(w.policy.unit(), w.policy.mode(), w.policy.automatic(), w.policy.recoveryBudget(), w.policy.maxPromotableLag(),
            w.policy.failback(), "h" + (1 + r.nextInt(1000)));
        case 21, 22 -> { // the operator dies somewhere in one of the next reconciliations
          w.crashAtStep = w.mark() + r.nextInt(4);
          w.crashAfterActions = r.nextInt(6);
        }
        case 23 -> w.policy = withAutomatic(!w.policy.automatic());
        case 27 -> w.cordon(node); // a drain begins (kubectl drain, the cluster autoscaler)
        case 28 -> w.uncordon(node);
        default -> { // no operator for a while (a leader change, a long restart): the world goes on
          Duration away = Duration.ofMillis(100L * (1 + r.nextInt(50)));
          for (java.time.Instant until = w.now.plus(away); w.now.isBefore(until); ) w.tick();
        }
      }
      log.add(what + (what < 12 ? ":" + pod : what < 19 || what >= 27 ? ":" + node : ""));
    }

    private UnitPolicy withAutomatic(boolean automatic) {
      UnitPolicy p = w.policy;
      return new UnitPolicy(p.unit(), p.mode(), automatic, p.recoveryBudget(), p.maxPromotableLag(), p.failback(), p.templateHash());
    }

    private void healEverything() {
      log.add("heal");
      w.policy = withAutomatic(true);
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
      if (x.lastPhase() == Phase.Protected && x.status.intent() == null && x.pods.size() == 2) return true;
      // The documented policy: a stale standby (or one that does not know how far it trails) is not promoted;
      // the unit waits for a primary that cannot return.
      World.Pod primary = x.pods.get(x.status.primary());
      boolean primaryDead = primary == null || primary.phase == Member.PodPhase.Failed;
      String reason = x.lastPhase() == Phase.Degraded ? x.condition(Conditions.DEGRADED).reason() : "";
      return primaryDead && (reason.equals("NoInSyncStandby") || reason.equals("LagTooHigh") || reason.equals("LagUnknown"));
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
      List<Action> done = d.actions().subList(0, step.actionsDone());
      for (Action a : done) {
        if (a instanceof Assign as && as.role() == Role.Primary) primaryAt(as.epoch(), as.pod());
        if (a instanceof CreateMember c && c.role() == Role.Primary) primaryAt(c.epoch(), c.pod());
        if (a instanceof PointService ps) assertThat(ps.pod()).as("the Service names the state's primary").isEqualTo(d.state().primary());
      }
      if (d.state().intent() != null && before.intent() == null && !d.state().intent().planned()) {
        Member target = step.observation().members().get(d.state().intent().target());
        if (w.policy.mode() != UnitPolicy.Mode.Asynchronous) {
          assertThat(StandbyAssessment.of(target, step.observation()).inSync()).as("promoting a stale standby").isTrue();
        }
      }
      if (!step.stateWritten()) return;
      UnitState after = w.status;
      assertThat(after.epoch()).as("epochs only increase").isGreaterThanOrEqualTo(before.epoch());
      if (before.intent() != null && !before.intent().planned() && after.primary() != null && !after.primary().equals(before.primary())) {
        completedFailovers++;
      }
      assertThat(after.failovers()).as("failovers counted").isEqualTo(completedFailovers);
    }

    private void primaryAt(long epoch, String pod) {
      String earlier = primaryAtEpoch.putIfAbsent(epoch, pod);
      assertThat(earlier == null || earlier.equals(pod)).as("two primaries at epoch %d: %s and %s", epoch, earlier, pod).isTrue();
    }
  }
}
