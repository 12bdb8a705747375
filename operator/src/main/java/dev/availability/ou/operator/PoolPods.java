package dev.availability.ou.operator;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.failover.pool.SharedPod;
import dev.availability.ou.memberapi.ContractJson;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A standby pool's pods read as the pool's decisions see them ({@link SharedPod}): which units each holds (its
 * {@code unit.ou.availability.dev/<unit>} labels), whether its replica of each is promotable (its per-unit report),
 * which unit took it over (a per-unit assignment as Primary). Pure.
 */
final class PoolPods {
  private PoolPods() {}

  /**
   * {@code admitted}: the units the pool holds now; a pod whose volumes lack the peer key of one of them is retiring
   * (the pool replaces it, {@link SharedPod#retiring}).
   */
  static SharedPod sharedPod(Pod pod, Collection<String> admitted) {
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
        promotable,
        !keysMounted(pod).containsAll(admitted));
  }

  /** The units whose peer key the pod's key volume projects ({@link SharedPodBuilder}): fixed when it was made. */
  static Set<String> keysMounted(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return Set.of();
    return pod.getSpec().getVolumes().stream()
        .filter(v -> MemberPodBuilder.KEY_VOLUME.equals(v.getName()) && v.getProjected() != null)
        .flatMap(v -> v.getProjected().getSources().stream())
        .filter(s -> s.getSecret() != null && s.getSecret().getItems() != null)
        .flatMap(s -> s.getSecret().getItems().stream())
        .map(KeyToPath::getPath)
        .collect(Collectors.toSet());
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
