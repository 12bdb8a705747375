package dev.availability.ou.failover;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses dependency cycles: two units each waiting for the other to be available could only ever degrade together.
 * A unit whose {@code dependsOn} reaches back to itself is an InvalidSpec naming the cycle. Names not in the graph
 * (dependencies that do not exist yet) end a path: they are reported NotFound by {@link DependencyWatch}. Pure.
 */
public final class DependencyCycles {
  private DependencyCycles() {}

  /**
   * The cycle through {@code unit}, as the path from it back to it ({@code [a, b, a]}), or empty.
   *
   * @param graph each unit of the namespace with the names it depends on
   */
  public static Optional<List<String>> through(String unit, Map<String, List<String>> graph) {
    List<String> path = new ArrayList<>();
    path.add(unit);
    return search(unit, unit, graph, path, new HashSet<>());
  }

  private static Optional<List<String>> search(
      String start,
      String at,
      Map<String, List<String>> graph,
      List<String> path,
      Set<String> seen) {
    for (String next : graph.getOrDefault(at, List.of())) {
      if (next.equals(start)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(start);
        return Optional.of(cycle);
      }
      if (!seen.add(next)) continue;
      path.add(next);
      Optional<List<String>> found = search(start, next, graph, path, seen);
      if (found.isPresent()) return found;
      path.remove(path.size() - 1);
    }
    return Optional.empty();
  }

  /** The InvalidSpec message for {@code cycle}. */
  public static String problem(List<String> cycle) {
    return "spec.dependsOn makes a dependency cycle: " + String.join(" -> ", cycle)
        + "; units that depend on each other can only degrade together: remove one of these dependencies";
  }
}
