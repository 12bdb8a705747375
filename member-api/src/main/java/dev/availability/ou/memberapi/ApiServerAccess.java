package dev.availability.ou.memberapi;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the API server is and how to authenticate to it, for {@link HttpMemberApi}. In a pod (the default):
 * {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, the ServiceAccount token and the cluster
 * CA mounted under {@value #SERVICE_ACCOUNT_DIR}. For tests and development each is overridable
 * ({@code OU_API_SERVER}, {@code OU_API_TOKEN_FILE}, {@code OU_API_CA_FILE}, see docs/sidecar-api.md).
 *
 * @param server         base URL of the API server ({@code https://host:port}; {@code http://} only for a local proxy)
 * @param tokenFile      bearer token file, re-read every {@code tokenReread} and after a 401 (bound tokens rotate);
 *                       a missing file means no token (the server then answers 401 or 403)
 * @param caFile         PEM file of the CA(s) that signed the API server's certificate (ignored for http://)
 * @param tokenReread    how often the token file is re-read
 * @param requestTimeout limit for one request (the watch: until its response headers)
 * @param watchTimeout   how long the API server keeps one watch open before it ends it (the watch then resumes
 *                       from the last resourceVersion); a little jitter is added so members do not reconnect together
 */
public record ApiServerAccess(
    URI server,
    Path tokenFile,
    Path caFile,
    Duration tokenReread,
    Duration requestTimeout,
    Duration watchTimeout) {
  public static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
  public static final Duration DEFAULT_TOKEN_REREAD = Duration.ofMinutes(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(5);

  public ApiServerAccess {
    if (server == null
        || server.getHost() == null
        || !("https".equals(server.getScheme()) || "http".equals(server.getScheme()))) {
      throw new IllegalArgumentException(
          "API server URL must be https://host:port (or http:// for a local proxy), got " + server);
    }
  }

  /**
   * The access from explicit settings, each null for the in-cluster default: {@code server}
   * ({@code https://host:port}, or {@code host:port} for https), {@code tokenFile}, {@code caFile}; {@code env}
   * supplies {@code KUBERNETES_SERVICE_HOST} and {@code KUBERNETES_SERVICE_PORT}.
   */
  public static ApiServerAccess resolve(
      String server, String tokenFile, String caFile, Map<String, String> env) {
    URI uri;
    if (server == null || server.isBlank()) {
      String host = env.get("KUBERNETES_SERVICE_HOST");
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException(
            "no API server: KUBERNETES_SERVICE_HOST is not set (not in a pod) and neither is OU_API_SERVER");
      }
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      uri = URI.create("https://" + (host.contains(":") ? "[" + host.trim() + "]" : host.trim())
          + ":" + port.trim());
    } else {
      String s = server.trim();
      uri = URI.create(s.contains("://") ? s : "https://" + s);
    }
    return new ApiServerAccess(
        uri,
        Path.of(
            tokenFile == null || tokenFile.isBlank()
                ? SERVICE_ACCOUNT_DIR + "/token"
                : tokenFile.trim()),
        Path.of(
            caFile == null || caFile.isBlank() ? SERVICE_ACCOUNT_DIR + "/ca.crt" : caFile.trim()),
        DEFAULT_TOKEN_REREAD,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_WATCH_TIMEOUT);
  }

  public ApiServerAccess withTokenReread(Duration d) {
    return new ApiServerAccess(server, tokenFile, caFile, d, requestTimeout, watchTimeout);
  }

  public ApiServerAccess withRequestTimeout(Duration d) {
    return new ApiServerAccess(server, tokenFile, caFile, tokenReread, d, watchTimeout);
  }

  public ApiServerAccess withWatchTimeout(Duration d) {
    return new ApiServerAccess(server, tokenFile, caFile, tokenReread, requestTimeout, d);
  }
}
