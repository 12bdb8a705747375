package dev.availability.ou.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * Which failures of a reconcile the unit's status and a Warning event tell, and in which words. A refusal that
 * retrying cannot cure (403: a rule the operator's RBAC lacks; 422: an object the API server rejects) is told at
 * once; anything else (a conflict with a concurrent writer, a timeout) only when the retries are spent, so a
 * passing conflict never flaps the unit's conditions.
 */
final class ApiErrors {
  private ApiErrors() {}

  /** The status message for {@code e}, or empty while it is left to the retries. */
  static Optional<String> describe(Exception e, boolean lastAttempt) {
    KubernetesClientException k = cause(e);
    int code = k == null ? 0 : k.getCode();
    if (code == 403) {
      return Optional.of(
          "the API server forbids a request the operator needs (" + reason(k)
              + "): give the operator's"
              + " ServiceAccount the rules of the chart's ClusterRole (helm upgrade restores them); retrying");
    }
    if (code == 422) {
      return Optional.of("the API server refused an object the operator made for this unit ("
          + reason(k) + "): check the"
          + " spec's values (template, ports, storage) against the message; retrying");
    }
    if (!lastAttempt) return Optional.empty();
    String what = k == null
        ? e.getClass().getSimpleName() + ": " + e.getMessage()
        : (code == 409 ? "a conflict that persisted: " : "") + reason(k);
    return Optional.of("the reconcile failed after its retries (" + what
        + "); the operator keeps trying at its resync"
        + " period; the operator's log has the details");
  }

  private static String reason(KubernetesClientException k) {
    var status = k.getStatus();
    String message =
        status != null && status.getMessage() != null ? status.getMessage() : k.getMessage();
    return (k.getCode() > 0 ? k.getCode() + " " : "") + message;
  }

  private static KubernetesClientException cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k) return k;
    }
    return null;
  }
}
