package dev.availability.ou.failover.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.failover.NodeView;
import dev.availability.ou.failover.pool.SharedPod.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The pool on nodes that die and come back, several pool pods failing at once (a primary and the shared pod, two
 * primaries, the pod that took a unit over and the new shared pod: any that share a dying node), with the planner's
 * actions executed between failures, pods scheduled only where their avoided nodes allow, judged failed by their
 * node as the operator judges them ({@link PoolNodes}). After every plan: no pod serves two units, a unit is taken
 * over only on a pod whose node is up, a new shared pod can run somewhere whenever a node without a primary is up,
 * and none is made when no such node is; pods made stay few (no create/delete loop). Once failures stop and the nodes
 * are back, the pool returns to N+1 wherever a node is free for its standby.
 */
class PoolNodeFailuresRandomizedTest {
  static final int SEEDS = 2_000;
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  /** A pod of the simulated pool. */
  static final class Pod {
    final String name;
    final Set<String> avoid;
    String node;
    State state = State.Starting;
    String claimedBy;
    final Map<String, Boolean> promotable = new LinkedHashMap<>();

    Pod(String name, Set<String> avoid) {
      this.name = name;
      this.avoid = avoid;
    }
  }

  static final class Sim {
    final Random random;
    final List<String> nodes = new ArrayList<>();
    final Set<String> down = new TreeSet<>();
    final List<String> units = new ArrayList<>();
    final int maxUnits;
    final Map<String, Pod> pods = new LinkedHashMap<>();
    /** Each unit's primary: a pool pod's name or a dedicated pod ("own-..."); null while it has none. */
    final Map<String, String> primary = new HashMap<>();
    /** The node of each dedicated primary, and of each failed primary (where it comes back). */
    final Map<String, String> nodeOf = new HashMap<>();
    /** Each unit whose primary failed: that primary, which comes back with its node. */
    final Map<String, String> lostPrimary = new HashMap<>();

    final List<String> log = new ArrayList<>();
    int podsMade;
    int podsLost;
    int takeovers;

    Sim(long seed) {
      random = new Random(seed);
      int n = 2 + random.nextInt(3);
      int k = n + random.nextInt(3); // as many nodes as units (no room for the standby) or more
      for (int i = 0; i < k; i++) nodes.add("n" + i);
      for (int i = 0; i < n; i++) {
        units.add("u" + i);
        primary.put("u" + i, "own-u" + i);
        nodeOf.put("own-u" + i, nodes.get(random.nextInt(k)));
      }
      maxUnits = 1 + random.nextInt(n + 1);
    }

    PoolView view() {
      Map<String, NodeView> views = new HashMap<>();
      for (String n : nodes)
        views.put(
            n,
            new NodeView(
                n,
                down.contains(n) ? NodeView.Ready.Unknown : NodeView.Ready.True,
                NOW,
                null,
                null,
                null,
                null));
      List<SharedPod> shared = pods.values().stream()
          .map(p -> PoolNodes.judge(
              new SharedPod(
                  p.name, p.node, p.state, Optional.ofNullable(p.claimedBy), p.promotable),
              views,
              NOW))
          .toList();
      return new PoolView("kv", maxUnits, units, shared);
    }

    List<String> admitted() {
      return view().admitted();
    }

    String nodeOfPrimary(String unit) {
      String p = primary.get(unit);
      if (p == null) return null;
      return pods.containsKey(p) ? pods.get(p).node : nodeOf.get(p);
    }

    /** As the units' statuses say: a primary that failed is named until another takes over. */
    Map<String, String> primaryNodes() {
      Map<String, String> m = new HashMap<>();
      for (String u : units) {
        String lost = lostPrimary.get(u);
        String node = nodeOfPrimary(u) != null
            ? nodeOfPrimary(u)
            : lost == null ? null : pods.containsKey(lost) ? pods.get(lost).node : nodeOf.get(lost);
        if (node != null) m.put(u, node);
      }
      return m;
    }

    Set<String> placeable() {
      return nodes.stream().filter(n -> !down.contains(n)).collect(Collectors.toSet());
    }

    /**
     * A node that is up and runs no admitted unit's primary (as the units' statuses name them, a failed one
     * included: it returns there): where the standby belongs.
     */
    boolean roomForStandby() {
      Set<String> room = new HashSet<>(placeable());
      Map<String, String> primaries = primaryNodes();
      for (String u : admitted()) room.remove(primaries.get(u));
      return !room.isEmpty();
    }

    void randomEvent() {
      switch (random.nextInt(8)) {
        case 0 -> {
          String u = units.get(random.nextInt(units.size()));
          String p = primary.get(u);
          if (p == null) return;
          log.add("primary of " + u + " (" + p + ") fails");
          if (pods.containsKey(p)) pods.get(p).state = State.Failed;
          lostPrimary.put(u, p);
          primary.put(u, null);
          podsLost++;
        }
        case 1 -> {
          List<String> up = List.copyOf(placeable());
          if (up.size() <= 1) return;
          killNode(up.get(random.nextInt(up.size())));
        }
        case 2 -> {
          if (down.isEmpty()) return;
          List<String> dead = List.copyOf(down);
          nodeBack(dead.get(random.nextInt(dead.size())));
        }
        case 3 -> catchUpOne();
        case 4 -> schedule();
        default -> reconcile();
      }
    }

    void killNode(String node) {
      log.add("node " + node + " dies");
      down.add(node);
      for (String u : units) {
        if (!node.equals(nodeOfPrimary(u))) continue;
        String p = primary.get(u);
        if (!pods.containsKey(p)) nodeOf.put(p, node);
        lostPrimary.put(u, p);
        primary.put(u, null);
      }
      podsLost += (int) pods.values().stream().filter(p -> node.equals(p.node)).count();
    }

    /** A node returns: the primaries on it serve again (unless taken over meanwhile). */
    void nodeBack(String node) {
      log.add("node " + node + " is back");
      down.remove(node);
      for (String u : units) {
        String p = lostPrimary.get(u);
        if (p == null || primary.get(u) != null) continue;
        boolean here =
            pods.containsKey(p) ? node.equals(pods.get(p).node) : node.equals(nodeOf.get(p));
        // A pool pod that failed by itself (not with its node) restarts only in settle().
        if (!here
            || (pods.containsKey(p)
                && (!u.equals(pods.get(p).claimedBy) || pods.get(p).state == State.Failed)))
          continue;
        if (!pods.containsKey(p) && pods.values().stream().anyMatch(o -> u.equals(o.claimedBy)))
          continue;
        log.add(u + "'s primary " + p + " serves again");
        primary.put(u, p);
        lostPrimary.remove(u);
        for (Pod o : pods.values())
          if (!o.name.equals(p)) o.promotable.replaceAll((x, v) -> x.equals(u) ? false : v);
      }
    }

    /** The scheduler and kubelets: a pending pod goes to an up node it does not avoid, then runs. */
    void schedule() {
      for (Pod p : pods.values()) {
        if (p.node == null) {
          List<String> fit =
              placeable().stream().filter(n -> !p.avoid.contains(n)).sorted().toList();
          if (fit.isEmpty()) continue;
          p.node = fit.get(random.nextInt(fit.size()));
        }
        if (p.state == State.Starting && !down.contains(p.node)) p.state = State.Running;
      }
    }

    boolean up(Pod p) {
      return p.state == State.Running && p.node != null && !down.contains(p.node);
    }

    void catchUpOne() {
      List<String[]> behind = new ArrayList<>();
      for (Pod p : pods.values())
        for (var e : p.promotable.entrySet())
          if (!e.getValue() && up(p) && primary.get(e.getKey()) != null)
            behind.add(new String[] {p.name, e.getKey()});
      if (behind.isEmpty()) return;
      String[] pick = behind.get(random.nextInt(behind.size()));
      log.add(pick[0] + " catches up with " + pick[1]);
      pods.get(pick[0]).promotable.put(pick[1], true);
    }

    void reconcile() {
      for (String u : units) {
        if (primary.get(u) != null || !admitted().contains(u)) continue;
        if (!(PoolPlanner.takeover(view(), u) instanceof Takeover.To to)) continue;
        Pod target = pods.get(to.pod());
        assertThat(target.claimedBy).as(log.toString()).isIn(null, u);
        assertThat(target.promotable.get(u)).as(log.toString()).isTrue();
        assertThat(up(target))
            .as(u + " taken over on " + target.name + " whose node " + target.node + " is down: "
                + log)
            .isTrue();
        log.add(u + " taken over by " + target.name);
        takeovers++;
        target.claimedBy = u;
        primary.put(u, target.name);
        lostPrimary.remove(u);
        pods.values().removeIf(p -> p != target && u.equals(p.claimedBy));
        for (Pod p : pods.values())
          if (p != target && p.promotable.containsKey(u)) p.promotable.put(u, false);
      }
      assertThat(primary.values().stream().filter(p -> p != null && pods.containsKey(p)))
          .as("no pod serves two units: " + log)
          .doesNotHaveDuplicates();
      for (PoolAction a : PoolPlanner.plan(view(), primaryNodes(), placeable())) apply(a);
    }

    void apply(PoolAction a) {
      log.add(a.toString());
      switch (a) {
        case PoolAction.CreateSharedPod c -> {
          Set<String> fit = new HashSet<>(placeable());
          fit.removeAll(c.avoidNodes());
          assertThat(fit)
              .as("a shared pod made that no up node can take, with room for one: " + log)
              .isNotEmpty();
          for (String u : admitted())
            if (nodeOfPrimary(u) != null)
              assertThat(c.avoidNodes()).as(log.toString()).contains(nodeOfPrimary(u));
          Pod p = new Pod(c.name(), c.avoidNodes());
          c.units().forEach(u -> p.promotable.put(u, false));
          assertThat(pods).as(log.toString()).doesNotContainKey(c.name());
          pods.put(c.name(), p);
          podsMade++;
        }
        case PoolAction.StandbyUnplaceable u ->
          assertThat(roomForStandby()).as("said unplaceable with room: " + log).isFalse();
        case PoolAction.AddUnit add -> pods.get(add.pod()).promotable.put(add.unit(), false);
        case PoolAction.RemoveUnit r -> pods.get(r.pod()).promotable.remove(r.unit());
        case PoolAction.HandOver h -> {
          Pod p = pods.remove(h.pod());
          assertThat(p.promotable.keySet()).as(log.toString()).isSubsetOf(h.unit());
          primary.put(h.unit(), "own-" + h.pod());
          nodeOf.put("own-" + h.pod(), p.node);
        }
        case PoolAction.DeletePod d -> {
          Pod p = pods.remove(d.pod());
          assertThat(p.claimedBy).as(log.toString()).isNull();
        }
      }
    }

    /**
     * A unit not promotable anywhere waits for its failed primary: the pod restarts (a pool pod it claimed, its other
     * replicas behind), or a dedicated one is made again.
     */
    void primaryComesBack(String u) {
      log.add("the failed primary of " + u + " comes back");
      lostPrimary.remove(u);
      Optional<Pod> claimed =
          pods.values().stream().filter(p -> u.equals(p.claimedBy)).findFirst();
      if (claimed.isPresent()) {
        Pod p = claimed.get();
        p.state = State.Running;
        p.promotable.replaceAll((unit, inSync) -> unit.equals(u));
        primary.put(u, p.name);
        return;
      }
      // A pooled unit's primary avoids the nodes of the pool's standby pods where it can
      // (docs/pools.md).
      List<String> fit = nodes.stream()
          .filter(
              n -> pods.values().stream().noneMatch(p -> p.claimedBy == null && n.equals(p.node)))
          .toList();
      if (fit.isEmpty()) fit = nodes;
      primary.put(u, "own-" + u + "-back");
      nodeOf.put("own-" + u + "-back", fit.get(random.nextInt(fit.size())));
    }

    /** No more failures: the nodes come back, pods start, catch up and the pool reconciles until nothing changes. */
    void settle() {
      for (int round = 0; round < 20; round++) {
        for (String n : List.copyOf(down)) nodeBack(n);
        for (String u : units)
          if (primary.get(u) == null && !(PoolPlanner.takeover(view(), u) instanceof Takeover.To))
            primaryComesBack(u);
        schedule();
        for (Pod p : pods.values())
          for (String u : List.copyOf(p.promotable.keySet()))
            if (up(p) && primary.get(u) != null) p.promotable.put(u, true);
        reconcile();
      }
    }
  }

  @Test
  void nodeFailuresTakingSeveralPoolPodsNeverPromoteOntoALostNodeNorLoopAndThePoolRecovers() {
    for (long seed = 0; seed < SEEDS; seed++) {
      Sim sim = new Sim(seed);
      sim.reconcile();
      for (int i = 0; i < 40; i++) sim.randomEvent();
      int madeBeforeSettling = sim.podsMade;
      sim.settle();

      String context = "seed " + seed + ": " + sim.log + "; pods " + sim.view().pods()
          + "; primaries " + sim.primaryNodes();
      assertThat(madeBeforeSettling)
          .as("pods made: at most one per pod lost and per takeover, plus the first; " + context)
          .isLessThanOrEqualTo(1 + sim.podsLost + sim.takeovers);
      assertThat(sim.podsMade - madeBeforeSettling)
          .as("pods made once failures stopped; " + context)
          .isLessThanOrEqualTo(sim.units.size() + 1);
      for (String u : sim.admitted())
        assertThat(sim.primary.get(u)).as("every unit serves again; " + context).isNotNull();
      List<Pod> unclaimed =
          sim.pods.values().stream().filter(p -> p.claimedBy == null).toList();
      if (!sim.roomForStandby()) {
        // Every node runs a primary (one that came back may have landed beside a running standby).
        assertThat(unclaimed.stream().filter(p -> p.node == null))
            .as("no room: no shared pod waits for a node; " + context)
            .isEmpty();
        continue;
      }
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
