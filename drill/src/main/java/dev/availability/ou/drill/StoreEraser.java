package dev.availability.ou.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deletes a finished round's keys from the sample store, so a long benchmark's state stays the size of one
 * round (the store holds its state in the sidecars' memory). A key that cannot be deleted only stays.
 */
final class StoreEraser {
  private StoreEraser() {}

  /** Deletes {@code keys} through {@code address}; returns how many deletes were refused or failed. */
  static int erase(String address, Collection<String> keys) throws InterruptedException {
    AtomicInteger failed = new AtomicInteger();
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (String key : keys) {
        pool.execute(() -> {
          try {
            HttpResponse<Void> r = http.send(
                HttpRequest.newBuilder(URI.create("http://" + address + "/kv/" + key))
                    .timeout(Duration.ofSeconds(5))
                    .DELETE()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) failed.incrementAndGet();
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        });
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(5, TimeUnit.MINUTES);
      http.shutdownNow();
    }
    return failed.get();
  }
}
