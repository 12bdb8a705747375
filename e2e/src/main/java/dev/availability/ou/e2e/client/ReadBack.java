package dev.availability.ou.e2e.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Reads every key and value from the store's current primary ({@code GET /kv}) through the same address
 * the writes used. It retries until the primary answers: right after a failover the address may still
 * lead to a member that refuses (503) or to none. Each try uses a new client, so a new connection, and
 * the forwarder picks the endpoint that is current then.
 */
public final class ReadBack {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReadBack() {}

  /**
   * @param address the store's {@code host:port}
   * @param timeout the most one try may take (the answer holds every key: give it time)
   * @param patience how long to keep trying
   * @throws IllegalStateException when no try succeeded within {@code patience}, naming the last failure
   */
  public static Map<String, String> from(String address, Duration timeout, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    String last = "not tried";
    while (true) {
      HttpClient http = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(timeout)
          .build();
      try {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create("http://" + address + "/kv"))
                .timeout(timeout)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return parse(r.body());
        last = "http " + r.statusCode() + ": " + WriterLoop.firstLine(r.body());
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading back from " + address, e);
      } finally {
        http.shutdownNow();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "could not read back from " + address + " within " + patience + ": " + last);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading back from " + address, e);
      }
    }
  }

  /** The store's {@code GET /kv} answer: one JSON object, keys to values as text. */
  static Map<String, String> parse(String body) throws IOException {
    return JSON.readValue(body, new TypeReference<Map<String, String>>() {});
  }
}
