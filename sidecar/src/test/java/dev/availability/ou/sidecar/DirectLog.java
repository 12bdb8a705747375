package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.RecordType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/** The baseline: the same log implementation (sequencing, state, group commit, fsync policy) in process, no replication. */
final class DirectLog implements AutoCloseable {
  final Store store;
  final LogWriter writer;
  final Replica replica;

  DirectLog(Path dir, String net) throws Exception {
    Counters counters = new Counters();
    Config cfg = Config.from(
        Map.of(
            "OU_DATA_DIR",
            dir.toString(),
            "OU_FSYNC",
            BenchSettings.FSYNC,
            "OU_LOG_RETENTION",
            "64Mi",
            "OU_SEGMENT_BYTES",
            "16Mi",
            "OU_CONTROL",
            "standalone",
            "OU_REPLICATION_ADDRESS",
            net + "50:7480"),
        new String[0]);
    store = new Store(
        dir, dev.availability.ou.replication.Limits.DEFAULT, cfg.segmentBytes(), counters);
    writer = new LogWriter(store, cfg.fsync(), counters);
    replica = new Replica(cfg, store, writer, counters, System::nanoTime);
    replica.assign(Role.Primary, 1, null, Mode.ASYNCHRONOUS, "benchmark baseline");
    Thread t = new Thread(() -> {
      while (true) {
        replica.snapshots().maintain();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
  }

  void write(byte[] k, byte[] v) {
    Thread me = Thread.currentThread();
    AtomicBoolean done = new AtomicBoolean();
    String[] err = {null};
    replica.write(
        RecordType.PUT,
        k,
        v,
        new Replica.Completion() {
          @Override
          public void ok(long seq) {
            done.set(true);
            LockSupport.unpark(me);
          }

          @Override
          public void fail(int status, String message) {
            err[0] = message;
            done.set(true);
            LockSupport.unpark(me);
          }
        },
        true);
    replica
        .commitInline(); // as the local API does: on the writing thread when the log writer is idle
    while (!done.get()) LockSupport.park();
    if (err[0] != null) throw new IllegalStateException(err[0]);
  }

  @Override
  public void close() throws IOException {
    writer.close();
    store.close();
  }
}
