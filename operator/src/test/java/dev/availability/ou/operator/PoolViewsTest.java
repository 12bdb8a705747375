package dev.availability.ou.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.availability.ou.api.OperationalUnit;
import dev.availability.ou.api.OperationalUnitSpec;
import dev.availability.ou.api.SharedStandbyStatus;
import dev.availability.ou.api.StandbyPool;
import dev.availability.ou.api.StandbyPoolStatus;
import dev.availability.ou.api.StandbySpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolViewsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  static OperationalUnit unit(String ns, String name, String pool, int minute, String image) {
    OperationalUnit u = new OperationalUnit();
    u.setMetadata(new ObjectMetaBuilder()
        .withNamespace(ns)
        .withName(name)
        .withCreationTimestamp(Times.format(T0.plusSeconds(60L * minute)))
        .build());
    OperationalUnitSpec spec = new OperationalUnitSpec();
    spec.setTemplate(PoolCompatibilityTest.template(image, name));
    if (pool != null) spec.setStandby(new StandbySpec(pool));
    u.setSpec(spec);
    return u;
  }

  static StandbyPool pool(String ns, String name, int maxUnits) {
    StandbyPool p = new StandbyPool();
    p.setMetadata(new ObjectMetaBuilder()
        .withNamespace(ns)
        .withName(name)
        .withGeneration(3L)
        .build());
    p.getSpec().setMaxUnits(maxUnits);
    return p;
  }

  static List<String> names(List<OperationalUnit> units) {
    return units.stream().map(u -> u.getMetadata().getName()).toList();
  }

  @Test
  void aPoolsUnitsAreThoseOfItsNamespaceNamingIt_inJoinOrder() {
    List<OperationalUnit> units = List.of(
        unit("a", "late", "kv", 9, "kv:1"),
        unit("a", "early", "kv", 1, "kv:1"),
        unit("a", "b-same-time", "kv", 5, "kv:1"),
        unit("a", "a-same-time", "kv", 5, "kv:1"),
        unit("a", "dedicated", null, 0, "kv:1"),
        unit("a", "other-pool", "web", 0, "kv:1"),
        unit("b", "other-namespace", "kv", 0, "kv:1"));
    assertThat(names(PoolViews.naming(pool("a", "kv", 8), units)))
        .containsExactly("early", "a-same-time", "b-same-time", "late");
    var byPool = PoolViews.byPool(units);
    assertThat(byPool.get("a").keySet()).containsExactlyInAnyOrder("kv", "web");
    assertThat(names(byPool.get("a").get("kv")))
        .containsExactly("early", "a-same-time", "b-same-time", "late");
    assertThat(names(byPool.get("b").get("kv"))).containsExactly("other-namespace");
    assertThat(PoolViews.poolOf(units.get(4))).isEmpty();
  }

  @Test
  void theFirstCompatibleUnitsUpToMaxUnitsAreHeld_anotherImageIsRefused_theRestOverflow() {
    StandbyPool pool = pool("a", "kv", 2);
    List<OperationalUnit> naming = PoolViews.naming(
        pool,
        List.of(
            unit("a", "u1", "kv", 1, "kv:1"),
            unit("a", "u2", "kv", 2, "kv:2"),
            unit("a", "u3", "kv", 3, "kv:1"),
            unit("a", "u4", "kv", 4, "kv:1")));
    PoolViews.Membership m = PoolViews.membership(pool, naming);
    assertThat(m.held()).containsExactly("u1", "u3");
    assertThat(m.overflow()).containsExactly("u4");
    assertThat(m.refused()).containsOnlyKeys("u2");
    assertThat(m.refused().get("u2"))
        .contains("unit u2 cannot join StandbyPool kv", "\"kv:2\"", "the template of u1");
    assertThat(m.notHeld()).containsExactly("u4", "u2");
  }

  @Test
  void statusCountsMembersInSyncAndSaysWhoIsBehind() {
    StandbyPool pool = pool("a", "kv", 2);
    var m = new PoolViews.Membership(List.of("u1", "u3"), List.of("u4"), Map.of());
    var standby = new SharedStandbyStatus("kv-standby-0", "node-4");
    StandbyPoolStatus s = PoolViews.status(
        pool, m, Map.of("u1", new PoolViews.Replica(true, 0L)), standby, List.of(), T0);
    assertThat(s.getMembers())
        .extracting(x -> x.getUnit() + " " + x.getInSync() + " " + x.getLag())
        .containsExactly("u1 true 0", "u3 false null");
    assertThat(s.getUnits()).isEqualTo(2);
    assertThat(s.getInSync()).isEqualTo(1);
    assertThat(s.getCapacity()).isEqualTo(2);
    assertThat(s.getNotHeld()).containsExactly("u4");
    assertThat(s.getObservedGeneration()).isEqualTo(3L);
    assertThat(s.getConditions())
        .extracting(
            c -> c.getType() + " " + c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
        .containsExactly(
            "Ready False CatchingUp: the shared standby kv-standby-0 does not hold in sync: u3",
            "Full True PoolFull: spec.maxUnits is 2: u4 keep(s) a dedicated standby; raise maxUnits (and"
                + " resources.memory) to pool them");
  }

  @Test
  void readyOnlyWithMembersAndASharedStandbyHoldingAllInSync() {
    StandbyPool pool = pool("a", "kv", 8);
    var none = new PoolViews.Membership(List.of(), List.of(), Map.of());
    var two = new PoolViews.Membership(List.of("u1", "u2"), List.of(), Map.of());
    var synced =
        Map.of("u1", new PoolViews.Replica(true, 0L), "u2", new PoolViews.Replica(true, 0L));
    var pod = new SharedStandbyStatus("kv-standby-0", "node-4");
    assertThat(reason(PoolViews.status(pool, none, Map.of(), pod, List.of(), T0)))
        .isEqualTo("NoMembers");
    assertThat(reason(PoolViews.status(pool, two, synced, null, List.of(), T0)))
        .isEqualTo("NoSharedStandby");
    StandbyPoolStatus ready = PoolViews.status(pool, two, synced, pod, List.of(), T0);
    assertThat(reason(ready)).isEqualTo("AllInSync");
    assertThat(ready.getConditions().get(0).getStatus()).isEqualTo("True");
    assertThat(ready.getConditions().get(1).getReason()).isEqualTo("HasRoom");
  }

  @Test
  void aPoolThatCannotPlaceItsStandbySaysWhyInReady() {
    StandbyPool pool = pool("a", "kv", 8);
    var two = new PoolViews.Membership(List.of("u1", "u2"), List.of(), Map.of());
    StandbyPoolStatus s = PoolViews.status(
        pool,
        two,
        Map.of(),
        null,
        "every node that can run a pod now (n1, n2) runs a primary",
        List.of(),
        T0);
    assertThat(reason(s)).isEqualTo("NoPlaceForStandby");
    assertThat(s.getConditions().get(0).getStatus()).isEqualTo("False");
    assertThat(s.getConditions().get(0).getMessage()).contains("(n1, n2) runs a primary");
    var pod = new SharedStandbyStatus("kv-standby-0", "node-4");
    assertThat(reason(PoolViews.status(pool, two, Map.of(), pod, "stale", List.of(), T0)))
        .as("a pool with a standby says how it is, not why it could not make one")
        .isEqualTo("CatchingUp");
  }

  @Test
  void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
    StandbyPool pool = pool("a", "kv", 8);
    var two = new PoolViews.Membership(List.of("u1", "u2"), List.of(), Map.of());
    var pod = new SharedStandbyStatus("kv-standby-0", "node-4");
    var synced =
        Map.of("u1", new PoolViews.Replica(true, 0L), "u2", new PoolViews.Replica(true, 0L));
    List<Condition> first =
        PoolViews.status(pool, two, synced, pod, List.of(), T0).getConditions();
    Instant later = T0.plusSeconds(600);
    List<Condition> same =
        PoolViews.status(pool, two, synced, pod, first, later).getConditions();
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo(Times.format(T0));
    var behind =
        Map.of("u1", new PoolViews.Replica(true, 0L), "u2", new PoolViews.Replica(false, 42L));
    List<Condition> changed =
        PoolViews.status(pool, two, behind, pod, same, later).getConditions();
    assertThat(changed.get(0).getLastTransitionTime()).isEqualTo(Times.format(later));
    assertThat(changed.get(1).getLastTransitionTime())
        .as("Full stayed False")
        .isEqualTo(Times.format(T0));
  }

  private static String reason(StandbyPoolStatus s) {
    return s.getConditions().get(0).getReason();
  }
}
