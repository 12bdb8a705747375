package dev.availability.ou.sidecar;

import dev.availability.ou.contract.ContractKeys;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which units a standby pool's pod holds, from its labels and annotations (docs/pools.md "The shared pod"): a unit
 * whose assignment annotation ({@code assignment.ou.availability.dev/<unit>}) or member label
 * ({@code unit.ou.availability.dev/<unit>}) is on the pod. The operator adds a unit by writing either and removes it
 * by removing both; the sidecar converges to what the pod says ({@link #plan}).
 */
final class PoolMembership {
  private PoolMembership() {}

  /**
   * What to change: units to join, units to leave, and report annotations to remove (a unit's report left on the
   * pod after it left, which would tell the operator of a replica that is gone). Names that are not unit names (a
   * DNS label) are in {@code invalid}, to be said once; they are neither joined nor their reports removed.
   */
  record Plan(
      List<String> join, List<String> leave, List<String> staleReports, List<String> invalid) {
    boolean isEmpty() {
      return join.isEmpty() && leave.isEmpty() && staleReports.isEmpty();
    }
  }

  /** The units the pod's {@code labels} and {@code annotations} say it holds, valid names or not, sorted. */
  static Set<String> named(Map<String, String> labels, Map<String, String> annotations) {
    Set<String> units = new TreeSet<>();
    for (String key : annotations.keySet()) {
      String u = ContractKeys.unitOfAssignmentAnnotation(key);
      if (u != null) units.add(u);
    }
    for (String key : labels.keySet()) {
      String u = ContractKeys.unitOfPoolUnitLabel(key);
      if (u != null) units.add(u);
    }
    return units;
  }

  /** From the pod's labels and annotations, and the units held now, what to change (each list sorted). */
  static Plan plan(
      Map<String, String> labels, Map<String, String> annotations, Collection<String> held) {
    Set<String> wanted = new TreeSet<>();
    List<String> invalid = new java.util.ArrayList<>();
    for (String u : named(labels, annotations)) {
      if (valid(u)) wanted.add(u);
      else invalid.add(u);
    }
    List<String> join = wanted.stream().filter(u -> !held.contains(u)).toList();
    List<String> leave =
        new TreeSet<>(held).stream().filter(u -> !wanted.contains(u)).toList();
    List<String> stale = new TreeSet<>(annotations.keySet())
        .stream()
            .map(ContractKeys::unitOfReportAnnotation)
            .filter(u -> u != null && valid(u) && !wanted.contains(u) && !held.contains(u))
            .toList();
    return new Plan(join, leave, stale, invalid);
  }

  private static boolean valid(String unit) {
    try {
      PoolConfig.checkedUnit(unit);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
