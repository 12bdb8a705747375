package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnitSpec;
import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the CRD schema cannot check: clashes between the user's template and what the operator adds.
 * Returns the problems in words users can act on; empty when the spec is fine.
 */
final class SpecChecks {
  private static final Set<Integer> RESERVED_PORTS = Set.of(
      ContractKeys.REPLICATION_PORT, ContractKeys.LOCAL_API_PORT, MemberPodBuilder.HEALTH_PORT);
  private static final Set<String> RESERVED_VOLUMES =
      Set.of(MemberPodBuilder.DATA_VOLUME, MemberPodBuilder.KEY_VOLUME, AssignmentVolume.NAME);

  /** The state lives in the sidecar's heap (twice the state, plus some): beyond this no pod is sized for it. */
  static final String MAX_STATE_MEMORY = "64Gi";
  /** The log lives on the member's volume next to the snapshots. */
  static final String MAX_LOG_RETENTION = "1024Gi";

  private SpecChecks() {}

  /** Settings users may choose that weaken the unit's protection, in words (each recorded as a Warning event). */
  static List<String> warnings(OperationalUnitSpec spec) {
    List<String> warnings = new ArrayList<>();
    if (spec.getReplication() != null && !spec.getReplication().encryptsStream()) {
      warnings.add(
          "spec.replication.encryptStream is false: the replication frames after the peers' mutual authentication travel in"
              + " plaintext, so anyone in the middle of the pod network can read the state and forge the standby's acknowledgements"
              + " (a Synchronous write is then acknowledged without the standby holding it); keep it true unless the network encrypts"
              + " pod traffic already");
    }
    return warnings;
  }

  /** A size above {@code max} (the CRD's pattern bounds the digits, not the value), in words; empty when it fits or is absent. */
  static Optional<String> tooLarge(String size, String max, String field) {
    if (size == null) return Optional.empty();
    java.math.BigDecimal bytes = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
        new io.fabric8.kubernetes.api.model.Quantity(size));
    java.math.BigDecimal limit = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
        new io.fabric8.kubernetes.api.model.Quantity(max));
    return bytes.compareTo(limit) > 0
        ? Optional.of(
            field + " is " + size + ", more than the most it may be (" + max + "): lower it")
        : Optional.empty();
  }

  static List<String> problems(OperationalUnitSpec spec) {
    List<String> problems = new ArrayList<>();
    var podSpec = spec.getTemplate().getSpec();
    for (Container c : podSpec.getContainers()) {
      for (ContainerPort p : Optional.ofNullable(c.getPorts()).orElse(List.of())) {
        if (p.getContainerPort() != null && RESERVED_PORTS.contains(p.getContainerPort())) {
          problems.add("container " + c.getName() + " uses port " + p.getContainerPort()
              + ", which the ou-sidecar needs (7480-7482): pick another port");
        }
      }
    }
    Optional.ofNullable(podSpec.getVolumes()).orElse(List.of()).stream()
        .filter(v -> RESERVED_VOLUMES.contains(v.getName()))
        .forEach(v -> problems.add(
            "volume name " + v.getName() + " is reserved for the operator: rename it"));
    if (podSpec.getServiceAccountName() != null || podSpec.getServiceAccount() != null) {
      // The members' identity may renew the unit's Lease and write their reports, and the
      // member-pod policy polices only that identity: a named account would get those rights
      // without the policy (and may be shared).
      problems.add(
          "spec.template.spec.serviceAccountName is not allowed: each unit's members run as the ServiceAccount the operator"
              + " creates for them (<unit>-member), the only identity its member policy polices; remove the field (grant extra"
              + " permissions to <unit>-member instead)");
    }
    var replication = spec.getReplication();
    if (replication != null) {
      tooLarge(replication.getStateMemory(), MAX_STATE_MEMORY, "spec.replication.stateMemory")
          .ifPresent(problems::add);
      tooLarge(replication.getLogRetention(), MAX_LOG_RETENTION, "spec.replication.logRetention")
          .ifPresent(problems::add);
    }
    if (podSpec.getRestartPolicy() != null && !"Always".equals(podSpec.getRestartPolicy())) {
      problems.add(
          "spec.template.spec.restartPolicy must be Always (members are long-running servers), not "
              + podSpec.getRestartPolicy());
    }
    return problems;
  }
}
