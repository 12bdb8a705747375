package dev.availability.ou.sidecar;

import dev.availability.ou.client.OuClient;
import dev.availability.ou.client.OuException;
import dev.availability.ou.client.SidecarStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real processes for the shared-standby tests: a pooled sidecar (one JVM, one replica per unit) and each unit's own
 * primary sidecar, on one fresh loopback network; and a writer per unit that remembers what was acknowledged.
 */
final class PoolProcesses implements AutoCloseable {
  /** The replication port of the k-th unit in the pooled sidecar (all on the pool's host). */
  static int unitPort(int k) {
    return 7600 + k;
  }

  final String net = SidecarProcess.freshNet();
  final Path root;
  final Path keyDir;
  final List<SidecarProcess> processes = new ArrayList<>();
  final List<UnitWriter> writers = new ArrayList<>();

  PoolProcesses(Path root) throws IOException {
    this.root = root;
    this.keyDir = Files.createDirectories(root.resolve("pool-keys"));
  }

  /** Unit k's peer key: one file in the pool's key directory, named as the unit; its primary reads the same file. */
  Path key(int k) throws IOException {
    Path p = keyDir.resolve("u" + k);
    if (!Files.exists(p)) {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      Files.write(p, key);
    }
    return p;
  }

  /** The pooled sidecar holding {@code units} (1-based numbers), every one a standby at epoch 1; not started. */
  SidecarProcess pool(int... units) throws IOException {
    StringBuilder list = new StringBuilder();
    for (int k : units) {
      key(k);
      list.append(list.isEmpty() ? "" : ",").append("u").append(k).append(':').append(unitPort(k));
    }
    SidecarProcess pool = new SidecarProcess("pool", net + "9", root, key(units[0]))
        .with("OU_POOL_UNITS", list.toString())
        .with("OU_PEER_KEY_DIR", keyDir.toString())
        .with("OU_ROLE", "Standby")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous")
        // The unit promoted here has no standby of its own yet: it acknowledges on its own durable
        // write.
        .with("OU_DATA_DURABILITY", "preferred");
    processes.add(pool);
    return pool;
  }

  /** Unit k's replication endpoint in the pooled sidecar. */
  String poolEndpoint(int k) {
    return net + "9:" + unitPort(k);
  }

  /** Unit k's primary (Synchronous, epoch 1), streaming to its replica in the pooled sidecar; not started. */
  SidecarProcess primary(int k) throws IOException {
    SidecarProcess p = new SidecarProcess("u" + k + "-primary", net + k, root, key(k))
        .with("OU_ROLE", "Primary")
        .with("OU_EPOCH", "1")
        .with("OU_MODE", "Synchronous")
        .with("OU_PEER_ENDPOINT", poolEndpoint(k));
    processes.add(p);
    return p;
  }

  /** Starts a writer of unit k's keys ({@code u<k>-<n>}) on {@code target}. */
  UnitWriter write(int k, SidecarProcess target) {
    UnitWriter w = new UnitWriter("u" + k, target);
    writers.add(w);
    w.thread.start();
    return w;
  }

  /** A field of unit {@code unit}'s replica in the pooled sidecar's STATUS. */
  static String unitField(SidecarStatus s, String unit, String field) {
    return s.fields().get("unit." + unit + "." + field);
  }

  @Override
  public void close() throws Exception {
    for (UnitWriter w : writers) w.stop();
    for (SidecarProcess p : processes) p.close();
  }

  /**
   * Writes {@code <unit>-1, <unit>-2, ...} in order, one at a time, each value its number: every n up to
   * {@link #acked} was acknowledged; a write that failed is counted and retried.
   */
  static final class UnitWriter {
    final String unit;
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    UnitWriter(String unit, SidecarProcess target) {
      this.unit = unit;
      this.thread = new Thread(
          () -> {
            long n = 1;
            while (!stop.get()) {
              try (OuClient c = target.client()) {
                while (!stop.get()) {
                  c.put(key(n), Long.toString(n).getBytes());
                  acked.set(n);
                  n++;
                }
              } catch (OuException | java.io.UncheckedIOException e) {
                if (stop.get()) return;
                failed.incrementAndGet();
                failures.add(e.toString());
                try {
                  Thread.sleep(50);
                } catch (InterruptedException ie) {
                  return;
                }
              }
            }
          },
          "writer-" + unit);
      thread.setDaemon(true);
    }

    String key(long n) {
      return unit + "-" + n;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }
  }
}
