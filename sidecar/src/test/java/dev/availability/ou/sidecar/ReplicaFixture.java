package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.replication.Limits;
import dev.availability.ou.replication.RecordType;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A replica in process on its own store and log writer, as the replica tests open it. */
abstract class ReplicaFixture {
  @TempDir
  Path dir;

  Store store;
  LogWriter writer;
  Replica replica;
  final Counters counters = new Counters();
  /** The clock the replica opened next reads time on; a test sets a {@link ManualClock} before {@link #open} to drive it. */
  java.util.function.LongSupplier nanoTime = System::nanoTime;

  Replica open(String... env) throws Exception {
    Map<String, String> m = new java.util.HashMap<>(Map.of(
        "OU_DATA_DIR", dir.toString(), "OU_CONTROL", "standalone", "OU_SYNC_TIMEOUT", "300ms"));
    for (int i = 0; i < env.length; i += 2) m.put(env[i], env[i + 1]);
    Config cfg = Config.from(m, new String[0]);
    store = new Store(dir, Limits.DEFAULT, cfg.segmentBytes(), counters);
    writer = new LogWriter(store, cfg.fsync(), counters);
    replica = new Replica(cfg, store, writer, counters, nanoTime);
    return replica;
  }

  @AfterEach
  void close() throws Exception {
    if (writer != null) writer.close();
    if (store != null) store.close();
  }

  /**
   * As a connected standby at the primary's epoch whose session started at the primary's last sequence: it
   * acknowledges each batch once written, while {@code acknowledging}. Whether it is heard is the test's step.
   */
  void standbyAcknowledging(java.util.concurrent.atomic.AtomicBoolean acknowledging) {
    replica.acknowledgements().standbySessionStarted(replica.lastSeq());
    replica.listeners().onWritten((first, last, bytes, n) -> {
      if (acknowledging.get()) replica.acknowledgements().standbyAcked(last);
    });
  }

  record Outcome(long seq, int status, String message) {}

  static CompletableFuture<Outcome> write(Replica r, String key) {
    CompletableFuture<Outcome> f = new CompletableFuture<>();
    r.write(
        RecordType.PUT,
        key.getBytes(),
        "v".getBytes(),
        new Replica.Completion() {
          @Override
          public void ok(long seq) {
            f.complete(new Outcome(seq, LocalProtocol.OK, null));
          }

          @Override
          public void fail(int status, String message) {
            f.complete(new Outcome(-1, status, message));
          }
        },
        false);
    return f;
  }
}
