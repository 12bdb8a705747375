package dev.availability.ou.e2e;

import dev.availability.ou.contract.ContractKeys;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;
import java.util.Optional;

/** The sidecar container's environment as the operator wrote it into a member pod: what the doubles act on. */
public final class SidecarEnv {
  private SidecarEnv() {}

  /** The variable {@code name} of the sidecar container of {@code pod}; null when absent. */
  public static String get(Pod pod, String name) {
    return Optional.ofNullable(pod.getSpec()).stream()
        .flatMap(s -> s.getContainers().stream())
        .filter(c -> ContractKeys.SIDECAR_CONTAINER.equals(c.getName()) && c.getEnv() != null)
        .flatMap(c -> c.getEnv().stream())
        .filter(e -> name.equals(e.getName()))
        .map(e -> e.getValue())
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  /** A duration in milliseconds ("2000ms" or "2000") of the sidecar container of {@code pod}; {@code otherwise} when absent or not a number. */
  public static long millis(Pod pod, String name, long otherwise) {
    String v = get(pod, name);
    try {
      return v == null ? otherwise : Long.parseLong(v.replace("ms", "").strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
