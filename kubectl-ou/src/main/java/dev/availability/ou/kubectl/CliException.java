package dev.availability.ou.kubectl;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.function.Supplier;

/** A failure the user can act on: the message says what went wrong and what to do. Exit code 1. */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }

  /** Runs an API call; its failure becomes a CliException that says what was being done and what to check. */
  static <T> T translate(Supplier<T> call, String doing) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw new CliException("cannot " + doing + ": " + explain(e));
    }
  }

  /** The message printed for any exception a command ends with. */
  static String describe(Throwable e) {
    if (e instanceof CliException) return e.getMessage();
    if (e instanceof KubernetesClientException k) return explain(k);
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  static String explain(KubernetesClientException e) {
    int code = e.getCode();
    String server = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
    return switch (code) {
      case 401 ->
        "the API server did not accept your credentials (401): log in again or check the kubeconfig's user ("
            + server + ")";
      case 403 ->
        "forbidden (403): " + server
            + ". Ask your cluster admin for that permission, or use a context that has it";
      case 404 ->
        "not found (404): " + server
            + (server.contains("operationalunits")
                ? ". Is the OperationalUnit CRD installed? "
                    + "(helm install ou-operator ./helm/ou-operator, or kubectl apply -f crds/)"
                : "");
      case 409 ->
        "conflict (409): " + server
            + ". Someone changed it at the same time: run the command again";
      default -> code > 0 ? server + " (" + code + ")" : unreachable(e);
    };
  }

  private static String unreachable(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof HttpTimeoutException) {
        return "cannot reach the API server (" + c.getClass().getSimpleName()
            + (c.getMessage() == null ? "" : ": " + c.getMessage())
            + "): check the cluster is up and the context is the right one (kubectl cluster-info)";
      }
      if (c instanceof IOException && c.getCause() == null)
        return "talking to the API server failed: " + c.getMessage();
    }
    return e.getMessage();
  }
}
