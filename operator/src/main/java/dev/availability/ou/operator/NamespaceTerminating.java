package dev.availability.ou.operator;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Recognises the API server's refusal to create anything in a namespace that is being deleted (403 with
 * cause {@code NamespaceTerminating}). For a unit there, that is the expected end: the namespace controller
 * deletes the unit next, so the operator neither retries nor warns.
 */
final class NamespaceTerminating {
  static final String CAUSE = "NamespaceTerminating";

  private NamespaceTerminating() {}

  /** True when {@code error}, or any cause of it, is the API server refusing a write into a terminating namespace. */
  static boolean causedBy(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 403 && hasCause(k.getStatus()))
        return true;
    }
    return false;
  }

  private static boolean hasCause(Status status) {
    return status != null
        && status.getDetails() != null
        && status.getDetails().getCauses() != null
        && status.getDetails().getCauses().stream().anyMatch(c -> CAUSE.equals(c.getReason()));
  }
}
