package dev.availability.ou.sidecar;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.ContractKeys;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.memberapi.ContractJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An API server for one member in Kubernetes control, as far as a primary uses it: its own pod (list, a watch that
 * never sends, merge-patches taken and forgotten), its peer pod's report, and the unit's primary Lease, whose writes
 * the test can slow down ({@link #leaseWriteDelayMillis}) and answer as lost to another member ({@link #takenAway}):
 * a conflict, then a Lease held by another at the next epoch.
 */
final class LeaseApiDouble implements AutoCloseable {
  static final String NS = "ns";
  static final String UNIT = "web";

  final AtomicInteger leaseWrites = new AtomicInteger();
  volatile long leaseWriteDelayMillis;
  volatile boolean takenAway;

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final String pod;
  private final String podJson;
  private final String peerJson;
  private final long epoch;
  private final long leaseMillis;
  private final AtomicInteger resourceVersion = new AtomicInteger(10);

  /** {@code pod} assigned {@code a}; its peer {@code a.peer()} reporting {@code peerReport}; the Lease {@code pod}'s at {@code a.epoch()}. */
  LeaseApiDouble(String pod, Assignment a, MemberReport peerReport, long leaseMillis)
      throws IOException {
    this.pod = pod;
    this.epoch = a.epoch();
    this.leaseMillis = leaseMillis;
    this.podJson = podJson(pod, ContractKeys.ASSIGNMENT_ANNOTATION, ContractJson.toJson(a));
    this.peerJson =
        podJson(a.peer(), ContractKeys.REPORT_ANNOTATION, ContractJson.toJson(peerReport));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static String podJson(String name, String annotation, String json) {
    return "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"resourceVersion\":\"5\","
        + "\"labels\":{\"ou.availability.dev/unit\":\"" + UNIT + "\"},"
        + "\"annotations\":{\"" + annotation + "\":" + quoted(json) + "}}}";
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private String lease(String holder, long leaseEpoch) {
    return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\""
        + ContractKeys.primaryLeaseName(UNIT) + "\",\"resourceVersion\":\""
        + resourceVersion.get() + "\",\"annotations\":{\"" + ContractKeys.LEASE_EPOCH_ANNOTATION
        + "\":\"" + leaseEpoch + "\",\"" + ContractKeys.LEASE_DURATION_MS_ANNOTATION + "\":\""
        + leaseMillis + "\"}},\"spec\":{\"holderIdentity\":\"" + holder
        + "\",\"leaseDurationSeconds\":" + Math.max(1, leaseMillis / 1000) + "}}";
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      x.getRequestBody().readAllBytes();
      String path = x.getRequestURI().getPath();
      String query = x.getRequestURI().getRawQuery();
      String method = x.getRequestMethod();
      String pods = "/api/v1/namespaces/" + NS + "/pods";
      if (path.equals(pods) && query != null && query.contains("watch=true")) {
        x.sendResponseHeaders(200, 0); // a watch that sends nothing until it times out
        x.getResponseBody().flush();
        sleep(60_000);
      } else if (path.equals(pods))
        answer(
            x,
            200,
            "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[" + podJson
                + "]}");
      else if (path.equals(pods + "/" + pod)) answer(x, 200, podJson);
      else if (path.startsWith(pods + "/")) answer(x, 200, peerJson);
      else if (path.endsWith("/leases/" + ContractKeys.primaryLeaseName(UNIT))) lease(x, method);
      else answer(x, 404, "{\"kind\":\"Status\",\"code\":404,\"message\":\"not here\"}");
    }
  }

  private void lease(HttpExchange x, String method) throws IOException {
    if (method.equals("GET")) {
      answer(x, 200, takenAway ? lease("web-c", epoch + 1) : lease(pod, epoch));
      return;
    }
    leaseWrites.incrementAndGet();
    sleep(leaseWriteDelayMillis);
    if (takenAway)
      answer(x, method.equals("PATCH") ? 422 : 409, "{\"kind\":\"Status\",\"code\":409}");
    else {
      resourceVersion.incrementAndGet();
      answer(x, 200, lease(pod, epoch));
    }
  }

  private static void answer(HttpExchange x, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(code, b.length);
    x.getResponseBody().write(b);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
