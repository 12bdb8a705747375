package dev.availability.ou.sidecar;

import dev.availability.ou.contract.SidecarHeap;
import java.util.Arrays;

/** The replication benchmark's settings, read once from the system properties bench/replication passes. */
final class BenchSettings {
  static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "3"));
  static final double WARMUP = Double.parseDouble(System.getProperty("bench.warmup", "1"));
  static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
  /**
   * Unmeasured Synchronous and Asynchronous cells (16 writers, the largest value) before the first round, so that the
   * sidecars' JIT has compiled the write path before any cell counts their CPU: a sidecar serves for hours.
   */
  static final int PREWARM_CELLS = Integer.getInteger("bench.prewarm", 1);

  static final int[] WRITERS = ints(System.getProperty("bench.writers", "1,16,128"));
  static final int[] SIZES = ints(System.getProperty("bench.sizes", "128,4096"));
  static final String FSYNC = System.getProperty("bench.fsync", "always");
  static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux
  /** OU_STREAM_ENCRYPTION of the sidecars: aes-256-gcm (the default) or none (bench/replication then runs them C1-only, as the operator does). */
  static final String ENCRYPTION = System.getProperty("bench.encryption", "aes-256-gcm");
  /**
   * Where the standby keeps its data; empty: beside the primary's, on the same disk. Another disk shows
   * replication without the two logs' flushes competing, as in a cluster. A tmpfs removes the standby's
   * flush altogether: fair for Asynchronous (the standby's flush is off the write's path), flattering for
   * Synchronous (in a cluster the standby's flush costs what the primary's does, in parallel).
   */
  static final String STANDBY_DIR = System.getProperty("bench.standbyDir", "");
  /** The keys every cell rewrites (by default 15 for each of 128 writers: at 4 KiB about 8 MiB of state). */
  static final int STATE_KEYS = Integer.getInteger("bench.stateKeys", 1920);
  /** The state's size as a unit would declare it: keys and values plus about 100 bytes per key. */
  static final long STATE_MIB =
      (STATE_KEYS * (Arrays.stream(SIZES).max().orElse(0) + 110L) + (1 << 20) - 1) >> 20;
  /** The sidecars' heap: what the operator gives a unit declaring {@code stateMemory: <STATE_MIB>Mi}. */
  static final long HEAP_MIB = SidecarHeap.forStateMiB(STATE_MIB);

  static final String HEAP_OPTION = "-Xmx" + HEAP_MIB + "m";

  private BenchSettings() {}

  static int[] ints(String s) {
    return Arrays.stream(s.split(","))
        .map(String::trim)
        .mapToInt(Integer::parseInt)
        .toArray();
  }
}
