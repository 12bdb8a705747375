package dev.availability.ou.drill;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A member's sidecar as it describes itself on {@code GET /status} (port 7482, docs/sidecar-api.md): read from the host
 * at the pod's own address, which the process kubelet routes to the pod's network namespace.
 */
public record SidecarStatus(String pod, Map<String, Object> fields) {
  private static final int HEALTH_PORT = 7482;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static SidecarStatus of(KubernetesClient client, String namespace, String pod)
      throws IOException, InterruptedException {
    Pod p = client.pods().inNamespace(namespace).withName(pod).get();
    if (p == null || p.getStatus() == null || p.getStatus().getPodIP() == null)
      throw new IOException("pod " + namespace + "/" + pod + " has no address");
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://" + p.getStatus().getPodIP() + ":" + HEALTH_PORT + "/status"))
        .timeout(Duration.ofSeconds(3))
        .GET()
        .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200)
      throw new IOException(
          "GET /status of " + pod + ": " + response.statusCode() + " " + response.body());
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = Serialization.unmarshal(response.body(), Map.class);
    return new SidecarStatus(pod, fields);
  }

  /** A counter ({@code counter.NAME}); 0 when the sidecar has not counted any. */
  public long counter(String name) {
    return number("counter." + name);
  }

  /** A numeric field; 0 when absent. */
  public long number(String field) {
    Object v = fields.get(field);
    if (v == null) return 0;
    return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
  }

  public String text(String field) {
    Object v = fields.get(field);
    return v == null ? null : v.toString();
  }

  @Override
  public String toString() {
    return pod + " " + fields;
  }
}
