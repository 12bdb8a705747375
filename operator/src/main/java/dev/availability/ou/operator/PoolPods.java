package dev.availability.ou.operator;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.pool.SharedPod;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A standby pool's pods read as the pool's decisions see them ({@link SharedPod}): which units each holds (its
 * {@code unit.ou.availability.dev/<unit>} labels), whether its replica of each is promotable (its per-unit report),
 * which unit took it over (a per-unit assignment as Primary). Pure.
 */
final class PoolPods {
  private PoolPods() {}

  static SharedPod sharedPod(Pod pod) {
    Map<String, String> annotations = annotations(pod);
    Map<String, Boolean> promotable = new LinkedHashMap<>();
    for (String unit : unitsHeld(pod)) promotable.put(unit, promotable(annotations, unit));
    Optional<String> claimedBy = annotations.keySet().stream()
        .map(ContractKeys::unitOfAssignmentAnnotation)
        .filter(u -> u != null)
        .filter(
            u -> assignment(annotations, u).map(a -> a.role() == Role.Primary).orElse(false))
        .sorted()
        .findFirst();
    return new SharedPod(
        pod.getMetadata().getName(),
        pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
        state(pod),
        claimedBy,
        promotable);
  }

  /** The units whose replica {@code pod} holds (labelled so by the pool). */
  static List<String> unitsHeld(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of()).keySet().stream()
        .map(ContractKeys::unitOfPoolUnitLabel)
        .filter(u -> u != null)
        .sorted()
        .toList();
  }

  static boolean holds(Pod pod, String unit) {
    return Optional.ofNullable(pod.getMetadata().getLabels())
        .map(l -> l.containsKey(ContractKeys.poolUnitLabel(unit)))
        .orElse(false);
  }

  /** The pool's replica of {@code unit} as its report on the pod says (absent or unreadable: none yet). */
  static Optional<MemberReport> report(Pod pod, String unit) {
    String json = annotations(pod).get(ContractKeys.reportAnnotation(unit));
    if (json == null) return Optional.empty();
    try {
      return Optional.of(ContractJson.report(json));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean promotable(Map<String, String> annotations, String unit) {
    String json = annotations.get(ContractKeys.reportAnnotation(unit));
    if (json == null) return false;
    try {
      MemberReport r = ContractJson.report(json);
      return r.role() == Role.Standby && Boolean.TRUE.equals(r.inSync());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Optional<Assignment> assignment(Map<String, String> annotations, String unit) {
    try {
      return Optional.ofNullable(annotations.get(ContractKeys.assignmentAnnotation(unit)))
          .map(ContractJson::assignment);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static SharedPod.State state(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (pod.getMetadata().getDeletionTimestamp() != null
        || "Failed".equals(phase)
        || "Succeeded".equals(phase)) return SharedPod.State.Failed;
    return "Running".equals(phase) ? SharedPod.State.Running : SharedPod.State.Starting;
  }

  private static Map<String, String> annotations(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
  }
}
