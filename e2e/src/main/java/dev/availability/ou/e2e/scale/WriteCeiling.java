package dev.availability.ou.e2e.scale;

import dev.availability.ou.testsupport.Progress;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many writes a second this control plane takes at most, measured before any unit exists: {@link #WRITERS}
 * clients merge-patching small ConfigMaps as fast as the API server answers. Creating units costs a fixed number of
 * writes each (pods, bindings, statuses, reports, leases, the operator's objects), so this figure bounds from below
 * how long creating them can take on this machine whatever the operator does; the report prints both side by side.
 * A ConfigMap is the cheapest write there is (small, few watchers), so the bound is on the generous side.
 */
final class WriteCeiling {
  static final int WRITERS = 16;
  private static final int OBJECTS = 64;
  private static final String PREFIX = "ou-scale-ceiling-";

  private WriteCeiling() {}

  /** Writes per second over {@code seconds}, by {@link #WRITERS} writers; the ConfigMaps are deleted afterwards. */
  static double measure(KubernetesClient admin, String namespace, double seconds)
      throws InterruptedException {
    Progress.log(String.format(
        "measuring the control plane's write ceiling: %d writers patching ConfigMaps for %.0f s",
        WRITERS, seconds));
    var maps = admin.configMaps().inNamespace(namespace);
    for (int i = 0; i < OBJECTS; i++)
      maps.resource(new ConfigMapBuilder()
              .withNewMetadata()
              .withName(PREFIX + i)
              .endMetadata()
              .addToData("n", "0")
              .build())
          .create();
    AtomicLong writes = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> running = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        running.add(pool.submit(() -> {
          long n = 0;
          while (System.nanoTime() < end) {
            String name = PREFIX + ((writer + n * WRITERS) % OBJECTS);
            maps.withName(name)
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"data\":{\"n\":\"" + writer + "-" + n + "\"}}");
            writes.incrementAndGet();
            n++;
          }
          return null;
        }));
      }
      for (Future<?> f : running) f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "the write-ceiling probe failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
      for (int i = 0; i < OBJECTS; i++) maps.withName(PREFIX + i).delete();
    }
    double rate = writes.get() / ((System.nanoTime() - start) / 1e9);
    Progress.log(String.format("the control plane took %.0f writes a second", rate));
    return rate;
  }
}
