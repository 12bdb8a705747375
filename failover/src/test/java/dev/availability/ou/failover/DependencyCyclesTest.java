package dev.availability.ou.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyCyclesTest {

  @Test
  void aChainIsNoCycle() {
    Map<String, List<String>> g =
        Map.of("web", List.of("api"), "api", List.of("db"), "db", List.of());
    assertThat(DependencyCycles.through("web", g)).isEmpty();
    assertThat(DependencyCycles.through("db", g)).isEmpty();
  }

  @Test
  void aUnitThatDependsOnItselfIsACycle() {
    assertThat(DependencyCycles.through("db", Map.of("db", List.of("db"))))
        .contains(List.of("db", "db"));
  }

  @Test
  void aLongCycleIsNamedFromTheUnitBackToIt() {
    Map<String, List<String>> g = Map.of(
        "web",
        List.of("api"),
        "api",
        List.of("cache", "db"),
        "db",
        List.of("web"),
        "cache",
        List.of());
    assertThat(DependencyCycles.through("web", g)).contains(List.of("web", "api", "db", "web"));
    assertThat(DependencyCycles.through("db", g)).contains(List.of("db", "web", "api", "db"));
    assertThat(DependencyCycles.problem(List.of("web", "api", "db", "web")))
        .contains("web -> api -> db -> web")
        .contains("remove one");
  }

  @Test
  void aUnitBesideACycleIsNotRefusedForIt() {
    // web depends on a cycle it is not part of: only the cycle's members are refused.
    Map<String, List<String>> g = Map.of("web", List.of("a"), "a", List.of("b"), "b", List.of("a"));
    assertThat(DependencyCycles.through("web", g)).isEmpty();
    assertThat(DependencyCycles.through("a", g)).contains(List.of("a", "b", "a"));
  }

  @Test
  void missingUnitsEndAPathAndDiamondsAreFine() {
    Map<String, List<String>> g = Map.of(
        "web", List.of("a", "b", "ghost"), "a", List.of("db"), "b", List.of("db"), "db", List.of());
    assertThat(DependencyCycles.through("web", g)).isEmpty();
  }
}
