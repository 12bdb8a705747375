package dev.availability.ou.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A text GET through the API server (a pod's log, a sidecar's /status by the pod proxy) with a short time limit: what
 * sits behind the API server (a kubelet, a pod) may be unreachable, and a report says so instead of hanging.
 *
 * @param text the body when the call succeeded
 * @param problem why not, in words, otherwise
 */
record ApiText(String text, String problem) {

  static ApiText get(KubernetesClient client, String path, Duration timeout) {
    String url = client.getMasterUrl().toString().replaceAll("/+$", "") + path;
    HttpRequest request = client
        .getHttpClient()
        .newHttpRequestBuilder()
        .uri(url)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build();
    try {
      HttpResponse<String> response = client
          .getHttpClient()
          .sendAsync(request, String.class)
          .get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
      if (response.code() >= 200 && response.code() < 300)
        return new ApiText(response.body(), null);
      String body = response.body() == null ? "" : response.body().strip();
      return new ApiText(
          null,
          "HTTP " + response.code() + (body.isEmpty() ? "" : ": " + abbreviate(message(body))));
    } catch (TimeoutException e) {
      return new ApiText(null, "no answer within " + Ages.of(timeout.toMillis()));
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return new ApiText(
          null,
          c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ApiText(null, "interrupted");
    }
  }

  boolean ok() {
    return problem == null;
  }

  /** A Kubernetes Status' message when the body is one (the API server's words), else the body itself. */
  private static String message(String body) {
    try {
      var status = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
          body, io.fabric8.kubernetes.api.model.Status.class);
      if (status != null && "Status".equals(status.getKind()) && status.getMessage() != null)
        return status.getMessage();
    } catch (RuntimeException notAStatus) {
      // plain text
    }
    return body;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 300 ? one.substring(0, 300) + "..." : one;
  }
}
