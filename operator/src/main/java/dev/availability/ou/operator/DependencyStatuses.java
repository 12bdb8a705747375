package dev.availability.ou.operator;

import dev.availability.ou.api.DependencyStatus;
import dev.availability.ou.api.OperationalUnitStatus;
import dev.availability.ou.failover.DependencyWatch;
import dev.availability.ou.failover.DependencyWatch.Reason;
import dev.availability.ou.failover.DependencyWatch.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The verdicts on a unit's dependencies in its status ({@code status.dependencies}, condition DependenciesAvailable), and back. Pure. */
final class DependencyStatuses {
  private DependencyStatuses() {}

  /** The verdicts {@code s} shows, by name (their patience is not written: the current one applies). */
  static Map<String, Verdict> previous(OperationalUnitStatus s) {
    Map<String, Verdict> out = new HashMap<>();
    if (s == null || s.getDependencies() == null) return out;
    for (DependencyStatus d : s.getDependencies()) {
      if (d.getName() == null || d.getAvailable() == null) continue;
      Reason reason;
      try {
        reason = Reason.valueOf(d.getReason());
      } catch (IllegalArgumentException | NullPointerException e) {
        continue; // written by someone else: assessed afresh
      }
      Instant since = Times.parse(d.getSince());
      out.put(d.getName(), new Verdict(d.getName(), d.getAvailable(), since, reason, null));
    }
    return out;
  }

  /**
   * Writes {@code verdicts} into {@code s}: the list and the condition (transition time kept while its status holds). A
   * unit that depends on nothing shows neither.
   */
  static void write(OperationalUnitStatus s, List<Verdict> verdicts, Long generation, Instant now) {
    List<Condition> others = new ArrayList<>(s.getConditions());
    others.removeIf(c -> "DependenciesAvailable".equals(c.getType()));
    if (verdicts.isEmpty()) {
      s.setDependencies(new ArrayList<>());
      s.setConditions(others);
      return;
    }
    s.setDependencies(verdicts.stream()
        .map(v -> new DependencyStatus(
            v.name(), v.available(), Times.format(v.since()), v.reason().name()))
        .toList());
    // Listed last, where it stays: the conditions keep one order from write to write.
    others.add(StatusMapper.conditions(
            s.getConditions(), List.of(DependencyWatch.condition(verdicts)), generation, now)
        .get(0));
    s.setConditions(others);
  }
}
