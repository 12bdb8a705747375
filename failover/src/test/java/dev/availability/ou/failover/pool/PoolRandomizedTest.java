package dev.availability.ou.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.pool.SharedPod.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of primary failures, shared-pod failures and catch-ups, with the planner's actions
 * executed between them. After every plan: no pod serves two units, a takeover lands only where the unit
 * is promotable, and no unit loses its last promotable copy by the planner's hand. Once failures stop, the
 * pool returns to N+1: every unit has a primary and one shared standby holds every unit promotably.
 */
class PoolRandomizedTest {
  static final int SEEDS = 2_000;

  /** A pod of the simulated pool. */
  static final class Pod {
    final String name;
    State state = State.Starting;
    String claimedBy;
    final Map<String, Boolean> promotable = new LinkedHashMap<>();

    Pod(String name) {
      this.name = name;
    }

    SharedPod view() {
      return new SharedPod(
          name, "node-of-" + name, state, Optional.ofNullable(claimedBy), promotable);
    }
  }

  static final class Sim {
    final Random random;
    final List<String> units = new ArrayList<>();
    final int maxUnits;
    final Map<String, Pod> pods = new LinkedHashMap<>();
    /** Each unit's primary: a dedicated pod ("own-..."), a pool pod's name, or null while it has none. */
    final Map<String, String> primary = new HashMap<>();

    final List<String> log = new ArrayList<>();

    Sim(long seed) {
      random = new Random(seed);
      int n = 2 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        units.add("u" + i);
        primary.put("u" + i, "own-u" + i);
      }
      maxUnits = 1 + random.nextInt(n + 1);
    }

    PoolView view() {
      return new PoolView(
          "kv", maxUnits, units, pods.values().stream().map(Pod::view).toList());
    }

    List<String> admitted() {
      return view().admitted();
    }

    void randomEvent() {
      switch (random.nextInt(6)) {
        case 0 -> {
          String u = units.get(random.nextInt(units.size()));
          String p = primary.get(u);
          if (p == null) return;
          log.add("primary of " + u + " (" + p + ") fails");
          if (pods.containsKey(p)) pods.get(p).state = State.Failed;
          primary.put(u, null);
        }
        case 1 -> {
          List<Pod> free = pods.values().stream()
              .filter(p -> p.claimedBy == null && p.state != State.Failed)
              .toList();
          if (free.isEmpty()) return;
          Pod p = free.get(random.nextInt(free.size()));
          log.add("shared pod " + p.name + " fails");
          p.state = State.Failed;
        }
        case 2 -> catchUpOne();
        case 3 -> startAll();
        default -> reconcile();
      }
    }

    void startAll() {
      pods.values().stream()
          .filter(p -> p.state == State.Starting)
          .forEach(p -> p.state = State.Running);
    }

    void catchUpOne() {
      List<String[]> behind = new ArrayList<>();
      for (Pod p : pods.values())
        for (var e : p.promotable.entrySet())
          if (!e.getValue() && p.state == State.Running && primary.get(e.getKey()) != null)
            behind.add(new String[] {p.name, e.getKey()});
      if (behind.isEmpty()) return;
      String[] pick = behind.get(random.nextInt(behind.size()));
      log.add(pick[0] + " catches up with " + pick[1]);
      pods.get(pick[0]).promotable.put(pick[1], true);
    }

    void reconcile() {
      for (String u : units) {
        if (primary.get(u) != null || !admitted().contains(u)) continue;
        Takeover t = PoolPlanner.takeover(view(), u);
        if (!(t instanceof Takeover.To to)) continue;
        Pod target = pods.get(to.pod());
        assertThat(target.claimedBy).as(log.toString()).isIn(null, u);
        assertThat(target.promotable.get(u)).as(log.toString()).isTrue();
        log.add(u + " taken over by " + target.name);
        target.claimedBy = u;
        primary.put(u, target.name);
        // The unit's old primary, if it was a pool pod, is deleted by the unit's failover; every
        // other
        // copy of the unit now streams from the new primary from its last position: behind for a
        // moment.
        pods.values().removeIf(p -> p != target && u.equals(p.claimedBy));
        for (Pod p : pods.values())
          if (p != target && p.promotable.containsKey(u)) p.promotable.put(u, false);
      }
      assertThat(primary.values().stream().filter(p -> p != null && pods.containsKey(p)))
          .as("no pod serves two units: " + log)
          .doesNotHaveDuplicates();

      List<PoolAction> plan = PoolPlanner.plan(view(), Map.of());
      for (PoolAction a : plan) apply(a);
    }

    void apply(PoolAction a) {
      log.add(a.toString());
      switch (a) {
        case PoolAction.CreateSharedPod c -> {
          Pod p = new Pod(c.name());
          c.units().forEach(u -> p.promotable.put(u, false));
          assertThat(pods).as(log.toString()).doesNotContainKey(c.name());
          pods.put(c.name(), p);
        }
        case PoolAction.AddUnit add -> pods.get(add.pod()).promotable.put(add.unit(), false);
        case PoolAction.RemoveUnit r -> {
          Pod p = pods.get(r.pod());
          boolean wasPromotable = Boolean.TRUE.equals(p.promotable.get(r.unit()));
          p.promotable.remove(r.unit());
          // A unit's primary streams to one standby at a time: the last promotable copy may go only
          // from a pod another unit claimed, once a running standby holds the unit (to catch up
          // there).
          boolean handedToRunningStandby = p.claimedBy != null
              && pods.values().stream()
                  .anyMatch(o -> o != p
                      && o.claimedBy == null
                      && o.state == State.Running
                      && o.promotable.containsKey(r.unit()));
          if (wasPromotable
              && admitted().contains(r.unit())
              && primary.get(r.unit()) != null
              && !handedToRunningStandby)
            assertThat(pods.values().stream()
                    .filter(o -> o.state != State.Failed && !o.name.equals(primary.get(r.unit())))
                    .anyMatch(o -> Boolean.TRUE.equals(o.promotable.get(r.unit()))))
                .as("removed the last promotable copy of " + r.unit() + ": " + log)
                .isTrue();
        }
        case PoolAction.HandOver h -> {
          Pod p = pods.remove(h.pod());
          assertThat(p.promotable.keySet()).as(log.toString()).isSubsetOf(h.unit());
          primary.put(h.unit(), "own-" + h.pod());
        }
        case PoolAction.StandbyUnplaceable u ->
          throw new AssertionError("planned without knowing the nodes: " + u);
        case PoolAction.DeletePod d -> {
          Pod p = pods.remove(d.pod());
          assertThat(p.claimedBy).as(log.toString()).isNull();
        }
      }
    }

    /**
     * A unit whose primary failed before any free copy held it promotably (both copies lost, as a
     * dedicated unit whose primary and standby both fail; or its one promotable copy in a pod another unit
     * claimed, which cannot stream it to the new standby with its primary gone) is never promoted: it
     * waits for its primary to come back. Here it comes back, its pod (if a pool pod it had claimed) with
     * its other replicas behind.
     */
    void primariesComeBack() {
      for (String u : units) {
        if (primary.get(u) != null) continue;
        if (PoolPlanner.takeover(view(), u) instanceof Takeover.To) continue;
        Optional<Pod> claimed =
            pods.values().stream().filter(p -> u.equals(p.claimedBy)).findFirst();
        if (claimed.isPresent()) {
          Pod p = claimed.get();
          p.state = State.Running;
          p.promotable.replaceAll((unit, inSync) -> unit.equals(u));
          primary.put(u, p.name);
        } else {
          primary.put(u, "own-" + u + "-back");
        }
        log.add("the failed primary of " + u + " comes back");
      }
    }

    /** No more failures: start, catch up and reconcile until nothing changes. */
    void settle() {
      for (int round = 0; round < 20; round++) {
        primariesComeBack();
        startAll();
        for (Pod p : pods.values())
          for (String u : List.copyOf(p.promotable.keySet()))
            if (p.state == State.Running && primary.get(u) != null) p.promotable.put(u, true);
        reconcile();
      }
    }
  }

  @Test
  void thePoolNeverServesTwoUnitsFromOnePodNorDropsALastCopyAndReturnsToNPlusOne() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Sim sim = new Sim(seed);
      sim.reconcile();
      for (int i = 0; i < 40; i++) sim.randomEvent();
      sim.settle();

      String context = "seed " + seed + ": " + sim.log;
      for (String u : sim.admitted())
        assertThat(sim.primary.get(u)).as("every unit serves again; " + context).isNotNull();
      List<Pod> remaining = List.copyOf(sim.pods.values());
      assertThat(remaining).as("N+1: one shared pod left; " + context).hasSize(1);
      Pod standby = remaining.get(0);
      assertThat(standby.claimedBy).as(context).isNull();
      assertThat(standby.promotable.keySet())
          .as(context)
          .containsExactlyInAnyOrderElementsOf(sim.admitted());
      assertThat(standby.promotable.values()).as(context).containsOnly(true);
    }
  }
}
