package dev.availability.ou.memberapi;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The request plumbing of {@link HttpMemberApi}: an {@link HttpClient} (HTTP/1.1, TLS trusting only the cluster CA),
 * the bearer token re-read from its file, one call sent again once after a connection failure or a 401, and an
 * API server's refusal explained.
 */
final class ApiServerHttp {
  private final ApiServerAccess access;
  private final String namespace;
  private final String base;
  private final HttpClient http;
  private final Object tokenLock = new Object();
  private volatile String token;
  private volatile String tokenProblem;
  private long tokenReadNanos;
  private volatile Runnable onAnswer = () -> {};

  ApiServerHttp(ApiServerAccess access, String namespace) {
    this.access = Objects.requireNonNull(access);
    this.namespace = Objects.requireNonNull(namespace);
    String s = access.server().toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(access.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    if ("https".equals(access.server().getScheme())) b.sslContext(trusting(access.caFile()));
    this.http = b.build();
    refreshToken(true);
  }

  /** An SSL context that trusts exactly the CA certificates in {@code caFile} (PEM, one or more). */
  static SSLContext trusting(Path caFile) {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(caFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the cluster CA certificate from " + caFile + " (OU_API_CA_FILE): " + e, e);
    }
    if (certs.isEmpty())
      throw new IllegalArgumentException("no certificate in " + caFile + " (OU_API_CA_FILE)");
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) trust.setCertificateEntry("ca-" + i++, c);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS with the CA in " + caFile + ": " + e, e);
    }
  }

  HttpClient http() {
    return http;
  }

  String base() {
    return base;
  }

  /** Called after every answer from the API server below 500: the server is reachable and serving. */
  void onAnswer(Runnable listener) {
    this.onAnswer = Objects.requireNonNull(listener);
  }

  void shutdownNow() {
    http.shutdownNow();
  }

  record Answer(int status, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(access.requestTimeout())
        .header("Accept", "application/json")
        .header("User-Agent", "ou-sidecar");
    refreshToken(false);
    String t = token;
    if (t != null) b.header("Authorization", "Bearer " + t);
    return b;
  }

  /** One call: sent again once after a connection failure, and once after a 401 if the token file changed. */
  Answer call(String what, String method, String pathAndQuery, String contentType, String body) {
    boolean resentAfterIo = false;
    boolean resentAfter401 = false;
    while (true) {
      HttpRequest.Builder b = request(pathAndQuery)
          .method(
              method,
              body == null
                  ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) b.header("Content-Type", contentType);
      HttpResponse<String> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw new MemberApiException(
            0,
            what + " in namespace " + namespace + " failed: no answer from the API server at "
                + base + " within " + access.requestTimeout().toMillis() + " ms",
            e);
      } catch (IOException e) {
        if (!resentAfterIo) {
          resentAfterIo = true; // a pooled connection the server closed meanwhile
          continue;
        }
        throw unreachable(what, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MemberApiException(0, what + " interrupted", e);
      }
      if (r.statusCode() == 401 && !resentAfter401 && refreshToken(true)) {
        resentAfter401 = true;
        continue;
      }
      if (r.statusCode() < 500) onAnswer.run();
      return new Answer(r.statusCode(), r.body());
    }
  }

  private MemberApiException unreachable(String what, IOException e) {
    return new MemberApiException(
        0,
        what + " in namespace " + namespace + " failed: cannot reach the API server at " + base
            + ": " + e,
        e);
  }

  MemberApiException failure(String what, Answer a) {
    int status = a.status();
    String noToken = token == null
        ? " (no token was sent: " + access.tokenFile() + " could not be read"
            + (tokenProblem == null ? "" : ", " + tokenProblem) + ")"
        : "";
    String explained = switch (status) {
      case 401 ->
        "401 Unauthorized: the API server did not accept the token"
            + (token == null
                ? noToken
                : " from " + access.tokenFile() + " (expired or revoked; the file was read again)");
      case 403 ->
        "403 Forbidden: "
            + (token == null
                ? "anonymous requests may not do this" + noToken
                : "the ServiceAccount lacks the permission (a member needs pods get, list, watch, patch and its unit's lease get, update)");
      case 404 -> "404 Not Found";
      case 409 -> "409 Conflict: the object changed since it was read";
      case 410 -> "410 Gone: the resourceVersion is too old";
      default -> status >= 500 ? status + " from the API server (server error)" : "HTTP " + status;
    };
    String said = serverMessage(a.body());
    return new MemberApiException(
        status,
        what + " in namespace " + namespace + " failed: " + explained
            + (said.isEmpty() ? "" : "; the server said: " + said));
  }

  /** The message of a Status answer, or the start of any other body. */
  static String serverMessage(String body) {
    if (body == null || body.isBlank()) return "";
    try {
      String m = Json.text(Json.map(Json.parse(body)), "message");
      if (m != null) return m;
    } catch (RuntimeException e) {
      // not JSON: show its start
    }
    String b = body.strip();
    return b.length() > 200 ? b.substring(0, 200) + "..." : b;
  }

  /** Re-reads the token file when forced or when the last read is older than the interval; returns whether the token changed. */
  boolean refreshToken(boolean force) {
    synchronized (tokenLock) {
      long now = System.nanoTime();
      if (!force
          && tokenReadNanos != 0
          && now - tokenReadNanos < access.tokenReread().toNanos()) return false;
      tokenReadNanos = now;
      String next;
      try {
        next = Files.readString(access.tokenFile()).trim();
        if (next.isEmpty()) next = null;
        tokenProblem = next == null ? "it is empty" : null;
      } catch (IOException e) {
        next = token; // keep the last token; the API server decides
        tokenProblem = e.toString();
      }
      boolean changed = !Objects.equals(next, token);
      token = next;
      return changed;
    }
  }

  static Object tree(String what, String body) {
    try {
      return Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new MemberApiException(0, what + ": the API server's answer is " + e.getMessage(), e);
    }
  }
}
