import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The API server of the AOT caches' training run (image/train-aot-cache.sh), so the trained sidecar does what a new
 * standby does with its API server: the TLS handshake, the list of its own pod, the watch, the report's patch. It
 * answers every pod read with the one pod (its assignment annotation: the one in the assignment file), a watch with an
 * open, silent stream, a patch with the pod, a lease read with 404; it checks nothing. Run by the build's JDK:
 * {@code java TrainingApiServer.java PORT KEYSTORE PASSWORD ASSIGNMENT_JSON}.
 */
public class TrainingApiServer {
  public static void main(String[] args) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(args[1])) {
      keys.load(in, args[2].toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, args[2].toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    String assignment = args[3].replace("\\", "\\\\").replace("\"", "\\\"");
    String pod = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"train-1\",\"namespace\":\"training\","
        + "\"resourceVersion\":\"1\",\"uid\":\"train-1\",\"labels\":{\"ou.availability.dev/unit\":\"train\"},"
        + "\"annotations\":{\"ou.availability.dev/assignment\":\"" + assignment + "\"}},"
        + "\"status\":{\"podIP\":\"127.0.0.1\"}}";
    String list = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":["
        + pod + "]}";
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", ex -> {
      String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
      ex.getRequestBody().readAllBytes();
      if (query.contains("watch=true")) {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        ex.getResponseBody().flush();
        try {
          Thread.sleep(120_000); // a watch with no event until the run ends
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
      } else if (ex.getRequestURI().getPath().contains("/leases/")) {
        answer(ex, 404, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}");
      } else if (query.contains("fieldSelector")) {
        answer(ex, 200, list);
      } else {
        answer(ex, 200, pod);
      }
    });
    server.start();
    System.out.println("training API server on https://127.0.0.1:" + args[0]);
  }

  private static void answer(HttpExchange ex, int code, String body) throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
